// The statistics page's figures as Guichet first computed them, one row per request read
// and counted here: the reference that src/db/statistics.ts (grouped queries over
// covering indexes) must equal. Durations are exact here; the page shows them through
// humanDuration.
import type { Knex } from 'knex';
import { CHANNELS } from '../../src/db/requests';
import type { Db } from '../../src/db/connection';
import { inGroups } from '../../src/db/scope';
import { parisIsoDay } from '../../src/dates';
import type { Percentiles, Statistics, StatsFilter } from '../../src/db/statistics';

/** Requests of the scope, as `r` joined with its form type `f` and service `s`. */
function scoped(db: Db, f: StatsFilter): Knex.QueryBuilder {
  const q = inGroups(db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .join('services as s', 's.id', 'r.service_id'), 'r.group_id', f.groupIds);
  if (f.serviceSlug) q.where('s.slug', f.serviceSlug);
  if (f.formTypeSlug) q.where('f.slug', f.formTypeSlug);
  return q;
}

const within = (q: Knex.QueryBuilder, column: string, f: StatsFilter) => q.where(column, '>=', f.from).where(column, '<', f.to);

async function count(q: Knex.QueryBuilder): Promise<number> {
  const row = await q.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function durations(q: Knex.QueryBuilder, expression: string): Promise<Percentiles> {
  const rows: { d: number | string }[] = await q.select(q.client.raw(`${expression} as d`)).orderByRaw(expression);
  const sorted = rows.map((r) => Number(r.d));
  return { count: sorted.length, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90) };
}

const dayOf = parisIsoDay;

export async function rawStatisticsOf(db: Db, f: StatsFilter): Promise<Statistics> {
  const closedQ = () => within(scoped(db, f), 'r.closed_at', f);
  const [received, taken, closed, expired, held, remindersSent, timeToTake, timeToClose] = await Promise.all([
    count(within(scoped(db, f), 'r.created_at', f)),
    count(within(scoped(db, f), 'r.taken_at', f)),
    count(closedQ().whereNot('r.closing_code', 'EXPIRED')),
    count(closedQ().where('r.closing_code', 'EXPIRED')),
    count(within(scoped(db, f).join('events as e', 'e.request_id', 'r.id').where('e.type', 'HELD'), 'e.at', f)),
    count(within(scoped(db, f).join('emails as m', 'm.request_id', 'r.id').whereIn('m.kind', ['REMINDER_UNPROCESSED', 'REMINDER_IN_PROGRESS', 'REMINDER_ABSENT']).where('m.status', 'SENT'), 'm.sent_at', f)),
    durations(within(scoped(db, f), 'r.taken_at', f), 'r.taken_at - r.created_at'),
    durations(closedQ().whereNot('r.closing_code', 'EXPIRED'), 'r.closed_at - r.created_at'),
  ]);

  const channelRows: { channel: string; n: number | string }[] = await within(scoped(db, f), 'r.created_at', f).groupBy('r.channel').select('r.channel').count({ n: '*' });
  const channelCounts = new Map(channelRows.map((r) => [r.channel, Number(r.n)]));
  const byChannel = CHANNELS.map((channel) => ({ channel, count: channelCounts.get(channel) ?? 0 }));

  const perFormType = async (column: string, extra?: (q: Knex.QueryBuilder) => void) => {
    const q = within(scoped(db, f), column, f);
    extra?.(q);
    const rows: { title: string; n: number | string }[] = await q.groupBy('f.title').select('f.title').count({ n: '*' });
    return new Map(rows.map((r) => [r.title, Number(r.n)]));
  };
  const [rec, tak, clo, exp] = await Promise.all([
    perFormType('r.created_at'),
    perFormType('r.taken_at'),
    perFormType('r.closed_at', (q) => q.whereNot('r.closing_code', 'EXPIRED')),
    perFormType('r.closed_at', (q) => q.where('r.closing_code', 'EXPIRED')),
  ]);
  const titles = [...new Set([...rec.keys(), ...tak.keys(), ...clo.keys(), ...exp.keys()])].sort((a, b) => a.localeCompare(b, 'fr'));
  const byFormType = titles.map((title) => ({ title, received: rec.get(title) ?? 0, taken: tak.get(title) ?? 0, closed: clo.get(title) ?? 0, expired: exp.get(title) ?? 0 }));

  // Days of the period in Paris; the dates are read and bucketed here (a few thousand rows a month).
  const [createdRows, closedRows]: { at: number | string }[][] = await Promise.all([
    within(scoped(db, f), 'r.created_at', f).select('r.created_at as at'),
    within(scoped(db, f), 'r.closed_at', f).select('r.closed_at as at'),
  ]);
  const days = new Map<string, { day: string; received: number; closed: number }>();
  for (let t = f.from; t < f.to; t += 24 * 3600 * 1000) {
    const day = dayOf(t);
    days.set(day, { day, received: 0, closed: 0 });
  }
  const bucket = (at: number | string) => {
    const day = dayOf(Number(at));
    if (!days.has(day)) days.set(day, { day, received: 0, closed: 0 });
    return days.get(day)!;
  };
  for (const r of createdRows) bucket(r.at).received += 1;
  for (const r of closedRows) bucket(r.at).closed += 1;

  return { received, taken, closed, expired, held, remindersSent, timeToTake, timeToClose, byChannel, byFormType, daily: [...days.values()], byWrapUp: await callsByWrapUp(db, f) };
}

/** The calls recorded (CALL_LOGGED events) in the period, per wrap-up code; a code no longer listed still counts under its code. */
async function callsByWrapUp(db: Db, f: StatsFilter): Promise<Statistics['byWrapUp']> {
  const [rows, codes]: [{ code: string; n: number | string }[], { code: string; label: string }[]] = await Promise.all([
    within(scoped(db, f).join('events as e', 'e.request_id', 'r.id').where('e.type', 'CALL_LOGGED'), 'e.at', f)
      .groupBy('e.wrap_up_code').select('e.wrap_up_code as code').count({ n: '*' }),
    db('wrap_up_codes').orderBy('label').select('code', 'label'),
  ]);
  const counts = new Map(rows.map((r) => [r.code, Number(r.n)]));
  const listed = codes.map((c) => ({ code: c.code, label: c.label, count: counts.get(c.code) ?? 0 }));
  const unlisted = rows.filter((r) => !codes.some((c) => c.code === r.code)).map((r) => ({ code: r.code, label: r.code, count: Number(r.n) }));
  return [...listed, ...unlisted];
}
