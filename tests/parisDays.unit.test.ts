import { midnightOf, parisDayNumber } from '../src/dates';
import { parisDay } from '../src/web/listParams';

// A list's « déposée du … au … » and the statistics' period are Paris days: on the two days
// a year when the clocks change, the day is 23 or 25 hours long, and its first instant is
// 23:00 or 22:00 UTC the day before, whatever the offset is at noon.
const CASES: [day: string, from: string, to: string][] = [
  ['2026-01-15', '2026-01-14T23:00:00.000Z', '2026-01-15T23:00:00.000Z'],
  ['2026-07-14', '2026-07-13T22:00:00.000Z', '2026-07-14T22:00:00.000Z'],
  // Clocks go forward at 02:00 Paris (01:00 UTC): a day of 23 hours.
  ['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
  ['2026-03-28', '2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z'],
  // Clocks go back at 03:00 Paris (01:00 UTC): a day of 25 hours.
  ['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
  ['2026-10-26', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z'],
  ['2024-02-29', '2024-02-28T23:00:00.000Z', '2024-02-29T23:00:00.000Z'],
];

describe('Paris days', () => {
  it.each(CASES)('%s runs from %s to %s', (day, from, to) => {
    expect(new Date(parisDay(day, false)!).toISOString()).toBe(from);
    expect(new Date(parisDay(day, true)!).toISOString()).toBe(to);
  });

  it('each day begins where the one before ends, and its instants are that day in Paris, over two years', () => {
    const first = parisDayNumber(Date.parse('2025-01-01T12:00:00Z'));
    for (let day = first; day < first + 731; day++) {
      const start = midnightOf(day);
      const end = midnightOf(day + 1);
      expect([23, 24, 25]).toContain((end - start) / 3600_000);
      expect(parisDayNumber(start)).toBe(day);
      expect(parisDayNumber(end - 1)).toBe(day);
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      expect([parisDay(iso, false), parisDay(iso, true)]).toEqual([start, end]);
    }
  });

  it.each(['2026-02-31', '2026-13-01', '2026-00-10', '26-01-01', '2026-1-5', 'demain', ''])('« %s » is not a day', (value) => {
    expect(parisDay(value, false)).toBeUndefined();
    expect(parisDay(value, true)).toBeUndefined();
  });
});
