import type { CodeList } from '../../db/codes';

/** The URL names of the lists of codes the municipality extends. */
export const CODE_LISTS: Record<string, CodeList> = { evenements: 'event_types', clotures: 'closing_codes', appels: 'wrap_up_codes' };
