import ms from 'ms';

/** "45s", "10m", "2d" → milliseconds; refuses anything else with a French message. */
export function parseDuration(text: string, option: string): number {
  const trimmed = text.trim();
  const value = /^\d+(\.\d+)?\s*(ms|s|m|h|d|w)$/i.test(trimmed) ? ms(trimmed as Parameters<typeof ms>[0]) as number | undefined : undefined;
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${option} : durée invalide « ${text} » (exemples : 45s, 10m, 2h, 2d)`);
  }
  return value;
}
