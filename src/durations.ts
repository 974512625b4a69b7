// One way to read a delay, for the CLI (`--deletion 2d`), the environment (`HOLD_…=10s`)
// and the administration pages (« 2 j », « 1,5 h »): a number, then a unit, in English
// shorthand or in French.
import { t } from './i18n';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000, sec: 1000, seconde: 1000, secondes: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3600_000, heure: 3600_000, heures: 3600_000,
  j: 86_400_000, d: 86_400_000, jour: 86_400_000, jours: 86_400_000,
  sem: 604_800_000, w: 604_800_000, semaine: 604_800_000, semaines: 604_800_000,
};

/** "45s", "10m", "200ms", "2 j", "45 min", "1,5 h", "1.5h" → milliseconds; null when it is not a positive duration. */
export function parseDelay(text: string): number | null {
  const match = /^(\d+(?:[.,]\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    return null;
  }
  const value = Math.round(Number(match[1].replace(',', '.')) * unit);
  return value > 0 && Number.isSafeInteger(value) ? value : null;
}

/** The same, refused with the French message that names the option or the field. */
export function requireDelay(text: string, label: string): number {
  const value = parseDelay(text);
  if (value === null) {
    throw new Error(t('ui.admin.errors.delay', { label, value: text }));
  }
  return value;
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
