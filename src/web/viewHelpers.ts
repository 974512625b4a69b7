import { t, tForm } from '../i18n';
import { frenchDate } from '../dates';
import { priorityOf } from '../../workflows/definitions';
import { COUNT_CAP, isMore } from '../db/cappedCount';

/** « 10 000 » as French writes it (a narrow no-break space between thousands). */
const CAP_TEXT = COUNT_CAP.toLocaleString('fr-FR');

/** What Handlebars passes last to a helper: `{{t 'key' name=value}}` puts name in hash. */
interface HelperOptions {
  hash?: Record<string, string | number>;
}

/** Handlebars helpers available in every view. */
export const helpers = {
  t: (key: string, options?: HelperOptions) => t(key, options?.hash ?? {}),
  tForm: (key: string, form: 'one' | 'other', options?: HelperOptions) => tForm(key, form, options?.hash ?? {}),
  status: (code: string) => t(`status.${code}`),
  /** a stored priority rank as its word (« Haute »), and as its name for a class (priority-haute) */
  priority: (rank: number) => t(`priority.${priorityOf(rank)}`),
  priorityName: (rank: number) => priorityOf(rank),
  eventLabel: (code: string) => t(`event.${code}`),
  emailKind: (code: string) => t(`emailKind.${code}`),
  emailStatus: (code: string) => t(`emailStatus.${code}`),
  date: (ms: number | null) => frenchDate(ms),
  /** for tables, where a long date would wrap */
  shortDate: (ms: number | null) => frenchDate(ms, 'short'),
  /** for <time datetime>, so assistive tools read an unambiguous date */
  isoDate: (ms: number | null) => (ms ? new Date(Number(ms)).toISOString() : ''),
  eq: (a: unknown, b: unknown) => a === b,
  /** `(concat 'ui.due.' kind)`: a locale key built from a value */
  concat: (...parts: unknown[]) => parts.slice(0, -1).join(''),
  /** "aujourd'hui", "demain", "dans 5 jours", "dépassée de 2 jours" */
  daysLeftLabel: (days: number | null) => {
    if (days === null || days === undefined) return '';
    if (days < 0) return t('ui.due.daysAgo', { count: -days });
    if (days === 0) return t('ui.due.today');
    if (days === 1) return t('ui.due.tomorrow');
    return t('ui.due.inDays', { days });
  },
  isNumber: (value: unknown) => typeof value === 'number',
  /** a capped count (src/db/cappedCount.ts) in a badge or a counter: « 10 000+ » past the cap */
  capped: (n: number) => (isMore(n) ? `${CAP_TEXT}+` : n),
  /** `{{countText 'ui.list.count' total}}`: the sentence of a capped count, its `…More` form (« plus de 10 000 ») past the cap */
  countText: (key: string, n: number) => (isMore(n) ? t(`${key}More`, { count: CAP_TEXT }) : t(key, { count: n })),
  channelLabel: (channel: string) => t(`ui.statistics.channels.${channel}`),
  /** "350 ko", "2,4 Mo" */
  fileSize: (bytes: number) => {
    const n = Number(bytes);
    return n < 1024 * 1024
      ? t('ui.fileSize.kilobytes', { size: Math.max(1, Math.round(n / 1024)) })
      : t('ui.fileSize.megabytes', { size: (n / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 }) });
  },
};
