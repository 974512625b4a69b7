import ms from 'ms';
import { DELAY_FIELDS, parseDelays } from '../src/commands/admin/durations';
import { formatDelay, parseDelay, requireDelay } from '../src/durations';

// What the CLI accepted (the `ms` package's syntax, restricted to ms|s|m|h|d|w) and what the
// administration pages accepted (French units, a decimal comma): one parser reads both.
const CLI_SYNTAX = ['45s', '10m', '2h', '2d', '1w', '200ms', '1.5h', '2 d', '10M', '3D'];
const ADMIN_SYNTAX: [string, number][] = [
  ['2 j', 2 * 86_400_000], ['45 min', 45 * 60_000], ['1,5 h', 1.5 * 3600_000], ['2d', 2 * 86_400_000],
  ['3 sem', 3 * 604_800_000], ['1 semaine', 604_800_000], ['2 jours', 2 * 86_400_000], ['30 secondes', 30_000],
  ['1 heure', 3600_000], ['5 minutes', 300_000], ['10 sec', 10_000], ['1 w', 604_800_000], ['2 J', 2 * 86_400_000],
];
const EXAMPLES: [string, number][] = [...CLI_SYNTAX.map((text): [string, number] => [text, ms(text as Parameters<typeof ms>[0]) as number]), ...ADMIN_SYNTAX];

/** The admin form's five delays, all `text` except a longer deletion (the warning must come first). */
function adminForm(text: string) {
  const input = Object.fromEntries(DELAY_FIELDS.map((f) => [f, text])) as Record<(typeof DELAY_FIELDS)[number], string>;
  return parseDelays({ ...input, deletionMs: '9999 sem' });
}

test.each(EXAMPLES)('%s is read the same by the CLI and the administration pages', (text, expected) => {
  expect(parseDelay(text)).toBe(expected);
  expect(requireDelay(text, '--deletion')).toBe(expected);
  expect(adminForm(text).reminderEveryMs).toBe(expected);
});

test.each(['deux jours', '0s', '0 j', '-2d', '2', 'j', '2 ans', '1e3s', ''])('%j is refused by both, naming the option or the field', (text) => {
  expect(parseDelay(text)).toBeNull();
  expect(() => requireDelay(text, '--deletion')).toThrow(`--deletion : durée invalide « ${text} »`);
  expect(() => adminForm(text)).toThrow('durée invalide');
});

test('a delay is shown in the largest unit that divides it, and reads back the same', () => {
  for (const value of [45_000, 600_000, 7_200_000, 2 * 86_400_000, 604_800_000, 90 * 60_000]) {
    expect(parseDelay(formatDelay(value))).toBe(value);
  }
  expect(formatDelay(2 * 86_400_000)).toBe('2 j');
});
