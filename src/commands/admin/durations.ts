import type { Delays } from '../../../workflows/definitions';
import { t } from '../../i18n';
import { invalid } from './invalid';

const UNITS: Record<string, number> = {
  s: 1000, sec: 1000, seconde: 1000, secondes: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3600_000, heure: 3600_000, heures: 3600_000,
  j: 86_400_000, d: 86_400_000, jour: 86_400_000, jours: 86_400_000,
  sem: 604_800_000, w: 604_800_000, semaine: 604_800_000, semaines: 604_800_000,
};

/** "2 j", "45 min", "2d", "1,5 h" → milliseconds; null when it is not a duration. */
export function parseDelay(text: string): number | null {
  const match = /^(\d+(?:[.,]\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    return null;
  }
  const value = Math.round(Number(match[1].replace(',', '.')) * unit);
  return value > 0 && Number.isSafeInteger(value) ? value : null;
}

const SHOWN: [number, string][] = [[604_800_000, 'sem'], [86_400_000, 'j'], [3600_000, 'h'], [60_000, 'min'], [1000, 's']];

/** 172800000 → "2 j": the largest unit that divides it, as an administrator would type it. */
export function formatDelay(ms: number): string {
  for (const [unit, label] of SHOWN) {
    if (ms % unit === 0) {
      return `${ms / unit} ${label}`;
    }
  }
  return `${Math.round(ms / 1000)} s`;
}

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
