// The statistics page's daily aggregates: per Paris day and scope (service, group, form
// type, channel), the requests received, taken, closed and expired that day, and `ended`:
// those closed with or without a code, as the daily chart counts them. A year of all
// services is then some 60 000 small rows instead of four scans of 400 000 index entries
// each. They are rebuilt whole, as the requests are at that moment, by every worker each
// STATISTICS_REFRESH_MINUTES (src/statistics/refresher.ts); the page reads them for the whole
// days before the rebuild's day, and the requests for the rest of its period (today, and the
// partial days at a period's edges). So a change to an earlier day (a request moved to
// another group, a take released) shows on the page after the next rebuild.
import { div, isMysql, type Db } from './connection';
import { midnightOf, parisDayNumber, parisWallClock } from '../dates';

const DAY = 24 * 3600_000;


const offsetAt = (at: number): number => parisWallClock(at).getTime() - Math.floor(at / 60_000) * 60_000;

/**
 * Paris's offset from UTC over [from, to), as the instants it changes at: `[until, offset]`
 * pairs, the last one open. Found day by day, then to the minute by halving.
 */
export function parisOffsets(from: number, to: number): [number, number][] {
  const segments: [number, number][] = [];
  let offset = offsetAt(from);
  for (let t = from; t < to; t += DAY) {
    const next = Math.min(t + DAY, to);
    if (offsetAt(next) === offset) continue;
    let [lo, hi] = [t, next];
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (offsetAt(mid) === offset) lo = mid;
      else hi = mid;
    }
    const change = Math.floor(hi / 60_000) * 60_000;
    segments.push([change, offset]);
    offset = offsetAt(change);
  }
  segments.push([Infinity, offset]);
  return segments;
}

/** SQL of the Paris day number of `column`, for the instants [from, to). */
function dayOf(db: Db, column: string, from: number, to: number): string {
  const segments = parisOffsets(from, to);
  const offset = segments.length === 1
    ? String(segments[0][1])
    : `CASE ${segments.slice(0, -1).map(([until, o]) => `WHEN ${column} < ${until} THEN ${o}`).join(' ')} ELSE ${segments.at(-1)![1]} END`;
  return div(db, `${column} + ${offset}`, DAY);
}

const MEASURES = ['received', 'taken', 'closed', 'expired', 'ended'] as const;
type DayCounts = { day: number; service_id: number; group_id: number; form_type_id: number; channel: string } & Record<(typeof MEASURES)[number], number>;

export interface DaysState {
  /** the days before this one are aggregated */
  untilDay: number;
  computedAt: number;
}

export async function statisticsDaysState(db: Db): Promise<DaysState | null> {
  const row: { until_day: number; computed_at: number } | undefined = await db('statistics_days_state').where({ id: 1 }).first('until_day', 'computed_at');
  return row ? { untilDay: Number(row.until_day), computedAt: Number(row.computed_at) } : null;
}

/**
 * Rebuilds the aggregates of every day before today (Paris), as the requests are now. Read
 * first, outside the transaction, so that no request row is held while it counts; then the
 * rows are replaced in one transaction, and the page sees the old ones or the new ones.
 */
export async function refreshStatisticsDays(db: Db, now = Date.now()): Promise<{ rows: number; untilDay: number }> {
  const untilDay = parisDayNumber(now);
  const cutoff = midnightOf(untilDay);
  const first: { t?: number | string | null } | undefined = await db('requests').min({ t: 'created_at' }).first();
  const from = Math.min(Number(first?.t ?? cutoff), cutoff);
  // Each count grouped on its own, then merged here: one grouping of their union spills to
  // disk on MariaDB (20 s at a million requests, against 2.5 s for the three).
  const groupedBy = (column: string, counts: string) => db.raw(`
    SELECT ${dayOf(db, column, from, cutoff)} AS day, service_id, group_id, form_type_id, channel, ${counts}
    FROM requests WHERE ${column} < ${cutoff} AND group_id IS NOT NULL
    GROUP BY day, service_id, group_id, form_type_id, channel`).then((result: unknown) => (isMysql(db) ? (result as [Record<string, unknown>[]])[0] : (result as Record<string, unknown>[])));
  // A closing without code (there are a few) is counted in `ended` only, as the page counts it.
  const kind = (test: string) => `SUM(CASE WHEN closing_code ${test} THEN 1 ELSE 0 END)`;
  const parts = [
    await groupedBy('created_at', 'COUNT(*) AS received'),
    await groupedBy('taken_at', 'COUNT(*) AS taken'),
    await groupedBy('closed_at', `${kind("<> 'EXPIRED'")} AS closed, ${kind("= 'EXPIRED'")} AS expired, COUNT(*) AS ended`),
  ];
  const merged = new Map<string, DayCounts>();
  for (const r of parts.flat()) {
    const key = `${r.day}|${r.service_id}|${r.group_id}|${r.form_type_id}|${r.channel}`;
    const row = merged.get(key) ?? {
      day: Number(r.day), service_id: Number(r.service_id), group_id: Number(r.group_id), form_type_id: Number(r.form_type_id), channel: String(r.channel),
      received: 0, taken: 0, closed: 0, expired: 0, ended: 0,
    };
    for (const measure of MEASURES) row[measure] += Number(r[measure] ?? 0);
    merged.set(key, row);
  }
  const list = [...merged.values()];
  await db.transaction(async (trx) => {
    await trx('statistics_days').delete();
    // SQLite takes at most 999 parameters a statement (10 columns × 90 rows), MySQL 65 535.
    const rowsPerInsert = isMysql(db) ? 2000 : 90;
    for (let i = 0; i < list.length; i += rowsPerInsert) {
      await trx('statistics_days').insert(list.slice(i, i + rowsPerInsert));
    }
    const state = { until_day: untilDay, computed_at: now };
    await trx('statistics_days_state').insert({ id: 1, ...state }).onConflict('id').merge(state);
  });
  return { rows: list.length, untilDay };
}

/**
 * The whole Paris days of [from, to) that the aggregates hold: the first and the last, and
 * the instants they span. Null when there is none.
 */
export function aggregatedDays(from: number, to: number, state: DaysState | null): { first: number; last: number; start: number; end: number } | null {
  if (!state) {
    return null;
  }
  let first = parisDayNumber(from);
  if (midnightOf(first) < from) first += 1;
  let last = Math.min(parisDayNumber(to) - 1, state.untilDay - 1);
  if (midnightOf(last + 1) > to) last -= 1;
  return first <= last ? { first, last, start: midnightOf(first), end: midnightOf(last + 1) } : null;
}

/** The ISO day (`2026-11-30`) of a Paris day number. */
export const isoDayOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
