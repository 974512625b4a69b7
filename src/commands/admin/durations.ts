import type { Delays } from '../../../workflows/definitions';
import { parseDelay } from '../../durations';
import { t } from '../../i18n';
import { invalid } from './invalid';

export const DELAY_FIELDS: (keyof Delays)[] = ['unprocessedReminderMs', 'reminderEveryMs', 'deletionWarningMs', 'deletionMs', 'inProgressReminderMs'];

/** The five delays of a form type's form, all required; the first bad one is refused by name. */
export function parseDelays(input: Record<keyof Delays, string>): Delays {
  const delays = {} as Delays;
  for (const field of DELAY_FIELDS) {
    const value = parseDelay(input[field] ?? '');
    if (value === null) {
      throw invalid('delay', field, { label: t(`ui.admin.formTypes.delays.${field}`), value: input[field] ?? '' });
    }
    delays[field] = value;
  }
  if (delays.deletionWarningMs >= delays.deletionMs) {
    throw invalid('warningAfterDeletion', 'deletionWarningMs');
  }
  return delays;
}
