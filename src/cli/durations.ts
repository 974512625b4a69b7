import ms from 'ms';
import { t } from '../i18n';

/** "45s", "10m", "2d" → milliseconds; refuses anything else with a French message. */
export function parseDuration(text: string, option: string): number {
  const trimmed = text.trim();
  const value = /^\d+(\.\d+)?\s*(ms|s|m|h|d|w)$/i.test(trimmed) ? ms(trimmed as Parameters<typeof ms>[0]) as number | undefined : undefined;
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new Error(t('cli.invalidDuration', { option, text }));
  }
  return value;
}
