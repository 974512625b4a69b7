import { t } from '../i18n';
import { formatDate } from '../mail/context';

/** Handlebars helpers available in every view. */
export const helpers = {
  t: (key: string) => t(key),
  status: (code: string) => t(`status.${code}`),
  eventLabel: (code: string) => t(`event.${code}`),
  emailKind: (code: string) => t(`emailKind.${code}`),
  emailStatus: (code: string) => t(`emailStatus.${code}`),
  date: (ms: number | null) => formatDate(ms),
  eq: (a: unknown, b: unknown) => a === b,
};
