import type { Db } from '../../db/connection';

/** The two lists of codes the municipality extends: event types (annotations) and closing codes. */
export type CodeList = 'event_types' | 'closing_codes';

export const CODE_LISTS: Record<string, CodeList> = { evenements: 'event_types', clotures: 'closing_codes' };

/** How many requests use a code: such a code is renamed, never removed. */
export async function usesOf(db: Db, list: CodeList, code: string): Promise<number> {
  const row = list === 'event_types'
    ? await db('events').where({ type: code }).count({ n: '*' }).first()
    : await db('requests').where({ closing_code: code }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** System codes (EXPIRED, set by the deletion timer) are nobody's to edit. */
export async function isSystemCode(db: Db, list: CodeList, code: string): Promise<boolean> {
  if (list !== 'closing_codes') {
    return false;
  }
  const row = await db('closing_codes').where({ code }).first('system');
  return Boolean(row?.system);
}
