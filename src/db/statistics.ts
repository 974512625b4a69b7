// The figures of the statistics page, for a period, within the agent's groups and,
// optionally, one service or form type. Every figure is counted by the database in a
// grouped query over an index that holds all the columns it reads (migration
// 20261203500000): a year of a million requests is a few index range scans, and only
// a few thousand grouped rows come back — never one row per request.
//   - days: counted per UTC hour, then put in their Paris day here (Paris is a whole
//     number of hours from UTC, so each hour lies in exactly one Paris day);
//   - durations: counted per minute (per hour beyond a day), the resolution the page
//     shows them at (humanDuration): their median and 90th percentile are the ones of
//     the exact durations, read at that resolution.
// The counts of whole days before today come from the daily aggregates once the workers
// have built them (src/db/statisticsDays.ts), as the requests were then; the rest of the
// period, and the durations, from the requests.
import type { Knex } from 'knex';
import { CHANNELS } from './requests';
import { div, type Db } from './connection';
import { inGroups } from './scope';
import { aggregatedDays, isoDayOf, statisticsDaysState } from './statisticsDays';
import { parisIsoDay } from '../dates';

export interface StatsFilter {
  /** the agent's groups: the requests of their queues */
  groupIds: number[];
  from: number;
  to: number;
  serviceSlug?: string;
  formTypeSlug?: string;
}

export interface Percentiles {
  count: number;
  /** to the minute below a day, to the hour beyond (the page's resolution) */
  medianMs: number | null;
  p90Ms: number | null;
}

export interface Statistics {
  received: number;
  taken: number;
  closed: number;
  expired: number;
  held: number;
  remindersSent: number;
  timeToTake: Percentiles;
  timeToClose: Percentiles;
  byChannel: { channel: string; count: number }[];
  byFormType: { title: string; received: number; taken: number; closed: number; expired: number }[];
  daily: { day: string; received: number; closed: number }[];
  /** calls recorded in the period per wrap-up code, every code of the list (label order) */
  byWrapUp: { code: string; label: string; count: number }[];
}

const HOUR = 3600 * 1000;
const MINUTE = 60 * 1000;
const REMINDERS = ['REMINDER_UNPROCESSED', 'REMINDER_IN_PROGRESS', 'REMINDER_ABSENT'];

type Row = Record<string, number | string | null>;

/**
 * The services to count (the one the slug names, or every service: a request always has
 * one, and naming them all lets the database read the index one service at a time) and
 * the form type the slug names; -1 for a slug that names none, so nothing matches.
 */
async function idsOf(db: Db, f: StatsFilter): Promise<{ serviceIds: number[]; formTypeId?: number }> {
  const [services, formType] = await Promise.all([
    (f.serviceSlug ? db('services').where({ slug: f.serviceSlug }) : db('services')).pluck('id'),
    f.formTypeSlug ? db('form_types').where({ slug: f.formTypeSlug }).first('id') : undefined,
  ]);
  return {
    serviceIds: services.length ? services.map(Number) : [-1],
    ...(f.formTypeSlug && { formTypeId: Number(formType?.id ?? -1) }),
  };
}

export async function statisticsOf(db: Db, f: StatsFilter): Promise<Statistics> {
  const [ids, state] = await Promise.all([idsOf(db, f), statisticsDaysState(db)]);
  const days = aggregatedDays(f.from, f.to, state);
  // The parts of the period the aggregates do not hold: all of it, or its edges.
  const live = (days ? [[f.from, days.start], [days.end, f.to]] : [[f.from, f.to]]).filter(([a, b]) => a < b);
  /** The requests of the scope whose `column` falls in the period (in `ranges` of it). */
  const inPeriod = (column: string, table = 'requests as r', ranges = [[f.from, f.to]]): Knex.QueryBuilder => {
    const q = inGroups(db(table), 'r.group_id', f.groupIds).whereIn('r.service_id', ids.serviceIds)
      .where((w) => ranges.forEach(([a, b]) => w.orWhere((r) => r.where(column, '>=', a).where(column, '<', b))));
    if (ids.formTypeId !== undefined) q.where('r.form_type_id', ids.formTypeId);
    return q;
  };
  /** Counted from the requests in the live ranges only (the aggregates hold the other days). */
  const counted = async (column: string, columns: Record<string, string>): Promise<Row[]> =>
    live.length ? grouped(inPeriod(column, 'requests as r', live), columns) : [];
  /** The events of `type` in the period, from the scope they carry (src/db/eventScope.ts). */
  const eventsInPeriod = (type: string): Knex.QueryBuilder => {
    const q = inGroups(db('events as e'), 'e.group_id', f.groupIds).where('e.type', type).whereIn('e.service_id', ids.serviceIds).where('e.at', '>=', f.from).where('e.at', '<', f.to);
    if (ids.formTypeId !== undefined) q.where('e.form_type_id', ids.formTypeId);
    return q;
  };
  const grouped = (q: Knex.QueryBuilder, columns: Record<string, string>): Promise<Row[]> => {
    const list = Object.entries(columns);
    return q.select(list.map(([alias, expression]) => db.raw(`${expression} as ${alias}`))).count({ n: '*' }).groupByRaw(list.map(([, e]) => e).join(', '));
  };
  const hourOf = (column: string) => div(db, column, HOUR);
  // Math.round(d / 1 min), then whole hours from a day on: what humanDuration shows of d.
  const shown = (d: string) => {
    const minutes = div(db, `${d} + ${MINUTE / 2}`, MINUTE);
    return `CASE WHEN ${minutes} < 1440 THEN ${minutes} ELSE (${div(db, minutes, 60)}) * 60 END`;
  };
  const closingKind = "CASE WHEN r.closing_code = 'EXPIRED' THEN 'expired' WHEN r.closing_code IS NOT NULL THEN 'closed' ELSE 'none' END";

  const [receivedLive, receivedHours, takenLive, takeMinutes, closedLive, closedHours, closeMinutes, held, remindersSent, byWrapUp, aggregated] = await Promise.all([
    counted('r.created_at', { form_type_id: 'r.form_type_id', channel: 'r.channel' }),
    counted('r.created_at', { hour: hourOf('r.created_at') }),
    counted('r.taken_at', { form_type_id: 'r.form_type_id' }),
    grouped(inPeriod('r.taken_at'), { minutes: shown('r.taken_at - r.created_at') }),
    counted('r.closed_at', { form_type_id: 'r.form_type_id', kind: closingKind }),
    counted('r.closed_at', { hour: hourOf('r.closed_at') }),
    grouped(inPeriod('r.closed_at').where('r.closing_code', '<>', 'EXPIRED'), { minutes: shown('r.closed_at - r.created_at') }),
    count(eventsInPeriod('HELD')),
    count(inPeriod('m.sent_at', 'emails as m').join('requests as r', 'r.id', 'm.request_id').whereIn('m.kind', REMINDERS).where('m.status', 'SENT')),
    callsByWrapUp(db, eventsInPeriod('CALL_LOGGED')),
    days ? daysOf(db, f, ids, days) : { byFormType: [], byDay: [] },
  ]);
  const fromDays = (measure: 'received' | 'taken' | 'closed' | 'expired', kind?: string): Row[] =>
    aggregated.byFormType.map((r) => ({ form_type_id: r.form_type_id, channel: r.channel, ...(kind && { kind }), n: r[measure] }));
  const receivedRows = [...receivedLive, ...fromDays('received')];
  const takenRows = [...takenLive, ...fromDays('taken')];
  const closedRows = [...closedLive, ...fromDays('closed', 'closed'), ...fromDays('expired', 'expired')];

  const sum = (rows: Row[], keep: (r: Row) => boolean = () => true) => rows.filter(keep).reduce((n, r) => n + Number(r.n), 0);
  const byChannel = CHANNELS.map((channel) => ({ channel, count: sum(receivedRows, (r) => r.channel === channel) }));
  return {
    received: sum(receivedRows),
    taken: sum(takenRows),
    closed: sum(closedRows, (r) => r.kind === 'closed'),
    expired: sum(closedRows, (r) => r.kind === 'expired'),
    held,
    remindersSent,
    timeToTake: percentiles(takeMinutes),
    timeToClose: percentiles(closeMinutes),
    byChannel,
    byFormType: await perFormType(db, { received: receivedRows, taken: takenRows, closed: closedRows.filter((r) => r.kind === 'closed'), expired: closedRows.filter((r) => r.kind === 'expired') }),
    daily: daily(f, receivedHours, closedHours, aggregated.byDay),
    byWrapUp,
  };
}

interface DayRow { day: number; received: number; ended: number }
interface ScopeRow { form_type_id: number; channel: string; received: number; taken: number; closed: number; expired: number }

/** The aggregates of the whole days `days`, summed per form type and channel, and per day. */
async function daysOf(db: Db, f: StatsFilter, ids: { serviceIds: number[]; formTypeId?: number }, days: { first: number; last: number }): Promise<{ byFormType: ScopeRow[]; byDay: DayRow[] }> {
  const scope = () => {
    const q = inGroups(db('statistics_days'), 'group_id', f.groupIds).whereIn('service_id', ids.serviceIds).whereBetween('day', [days.first, days.last]);
    if (ids.formTypeId !== undefined) q.where('form_type_id', ids.formTypeId);
    return q;
  };
  const sums = (...measures: string[]) => measures.map((m) => db.raw(`SUM(${m}) AS ${m}`));
  const [byFormType, byDay]: [ScopeRow[], DayRow[]] = await Promise.all([
    scope().groupBy('form_type_id', 'channel').select('form_type_id', 'channel', ...sums('received', 'taken', 'closed', 'expired')),
    scope().groupBy('day').select('day', ...sums('received', 'ended')),
  ]);
  const numbers = <T extends object>(r: T): T => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'channel' ? v : Number(v)])) as T;
  return { byFormType: byFormType.map(numbers), byDay: byDay.map(numbers) };
}

async function count(q: Knex.QueryBuilder): Promise<number> {
  const row = await q.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Nearest-rank median and 90th percentile of durations counted per shown minute. */
function percentiles(rows: Row[]): Percentiles {
  const counted = rows.map((r) => ({ minutes: Number(r.minutes), n: Number(r.n) })).sort((a, b) => a.minutes - b.minutes);
  const total = counted.reduce((n, r) => n + r.n, 0);
  const at = (p: number): number | null => {
    if (!total) return null;
    const rank = Math.min(total, Math.ceil((p / 100) * total));
    let seen = 0;
    const hit = counted.find((r) => (seen += r.n) >= rank)!;
    return hit.minutes * MINUTE;
  };
  return { count: total, medianMs: at(50), p90Ms: at(90) };
}

type Measure = 'received' | 'taken' | 'closed' | 'expired';

/** Counts per form type title (two services' form types of one title share a line), in French order. */
async function perFormType(db: Db, rows: Record<Measure, Row[]>): Promise<Statistics['byFormType']> {
  const used = [...new Set(Object.values(rows).flat().map((r) => Number(r.form_type_id)))];
  const titles = new Map<number, string>(
    used.length ? (await db('form_types').whereIn('id', used).select('id', 'title')).map((t: { id: number; title: string }) => [Number(t.id), t.title]) : [],
  );
  const lines = new Map<string, Statistics['byFormType'][number]>();
  for (const measure of Object.keys(rows) as Measure[]) {
    for (const r of rows[measure]) {
      const title = titles.get(Number(r.form_type_id))!;
      const line = lines.get(title) ?? { title, received: 0, taken: 0, closed: 0, expired: 0 };
      line[measure] += Number(r.n);
      lines.set(title, line);
    }
  }
  return [...lines.values()].sort((a, b) => a.title.localeCompare(b.title, 'fr'));
}

/** Every Paris day of the period, with the requests received and closed in it. */
function daily(f: StatsFilter, receivedHours: Row[], closedHours: Row[], aggregated: DayRow[]): Statistics['daily'] {
  const days = new Map<string, { day: string; received: number; closed: number }>();
  for (let t = f.from; t < f.to; t += 24 * HOUR) {
    const day = parisIsoDay(t);
    days.set(day, { day, received: 0, closed: 0 });
  }
  const entry = (day: string) => {
    if (!days.has(day)) days.set(day, { day, received: 0, closed: 0 });
    return days.get(day)!;
  };
  const bucket = (hour: number | string | null) => entry(parisIsoDay(Number(hour) * HOUR));
  for (const r of receivedHours) bucket(r.hour).received += Number(r.n);
  for (const r of closedHours) bucket(r.hour).closed += Number(r.n);
  for (const r of aggregated) {
    const day = entry(isoDayOf(r.day));
    day.received += r.received;
    day.closed += r.ended;
  }
  return [...days.values()];
}

/** The calls recorded (CALL_LOGGED events) in the period, per wrap-up code; a code no longer listed still counts under its code. */
async function callsByWrapUp(db: Db, calls: Knex.QueryBuilder): Promise<Statistics['byWrapUp']> {
  const [rows, codes]: [{ code: string; n: number | string }[], { code: string; label: string }[]] = await Promise.all([
    calls.groupBy('e.wrap_up_code').select('e.wrap_up_code as code').count({ n: '*' }),
    db('wrap_up_codes').orderBy('label').select('code', 'label'),
  ]);
  const counts = new Map(rows.map((r) => [r.code, Number(r.n)]));
  const listed = codes.map((c) => ({ code: c.code, label: c.label, count: counts.get(c.code) ?? 0 }));
  const unlisted = rows.filter((r) => !codes.some((c) => c.code === r.code)).map((r) => ({ code: r.code, label: r.code, count: Number(r.n) }));
  return [...listed, ...unlisted];
}
