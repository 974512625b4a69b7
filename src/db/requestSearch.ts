// The one query behind every list of requests: the views (rubriques), the search, the
// bulk actions' "all N matching", the exports. A filter always carries the agent's
// groups, so nothing outside their queues can be listed, counted, exported or printed.
import type { Knex } from 'knex';
import { OPEN_STATUSES, type Status } from '../../workflows/definitions';
import type { Db } from './connection';
import { byName } from './nameWords';
import { normalTrackingCode, REQUEST_COLUMNS, requestQuery, type RequestRow } from './requests';
import { cappedCount, MORE } from './cappedCount';
import { ALWAYS_DUE } from './deadlines';
import { inGroups } from './scope';

export interface RequestFilter {
  /** The groups the agent belongs to (the queues they see): always applied. */
  groupIds: number[];
  /** None given: the open statuses. */
  statuses?: Status[];
  /** null: nobody assigned. */
  assigneeId?: number | null;
  /** true: assigned to someone (the queue's « assignés »). */
  assigned?: boolean;
  /** Only the queue of this one of the agent's groups. */
  groupId?: number;
  /** Closed by this agent: the closing event is theirs, or it was closed while assigned to them. */
  closedBy?: number;
  /** A whole reference, or its number alone. */
  reference?: string;
  trackingCode?: string;
  /** Words of the citizen's name, each found anywhere in it, accents and case ignored. */
  name?: string;
  email?: string;
  formTypeSlug?: string;
  serviceSlug?: string;
  submittedFrom?: number;
  submittedTo?: number;
  closedFrom?: number;
  closedTo?: number;
  closingCode?: string;
  /** Only requests past a reminder delay (unprocessed, or in progress). */
  overdue?: boolean;
  /** Only these priorities (ranks, 1 haute … 3 basse). */
  priorities?: number[];
}

export const SORTS = ['date', 'name', 'formType', 'status', 'assignee', 'due', 'closedAt', 'priority', 'group'] as const;
export type Sort = (typeof SORTS)[number];
export type Direction = 'asc' | 'desc';

export interface Page {
  sort: Sort;
  dir: Direction;
  /** 1-based */
  page: number;
  pageSize: number;
}

export interface ListedRequest extends RequestRow {
  /** The next deadline: deletion (unprocessed), reminder (in progress), end of hold (on hold). */
  due_at: number | null;
  overdue: number | boolean;
}

/** A row of a list page: with the citizen's names, null once the request is purged. */
export interface NamedRequest extends ListedRequest {
  citizen_first_name: string | null;
  citizen_last_name: string | null;
}

const STATUS_ORDER_SQL = `CASE r.status WHEN 'NON_TRAITEE' THEN 0 WHEN 'EN_COURS' THEN 1 WHEN 'EN_ATTENTE' THEN 2 ELSE 3 END`;

type Joined = 'form_types' | 'services' | 'agents' | 'personal' | 'groups';

/**
 * The tables a filter and a sort read besides `requests`. A list query joins only these:
 * at 100 000 rows, sorting bare ids instead of joined rows is what keeps a page fast.
 */
function joinsFor(f: RequestFilter, sort?: Sort): Set<Joined> {
  const joins = new Set<Joined>();
  if (f.formTypeSlug || sort === 'formType') {
    joins.add('form_types');
  }
  if (f.serviceSlug) {
    joins.add('services');
  }
  if (sort === 'assignee') {
    joins.add('agents');
  }
  if (sort === 'group') {
    joins.add('groups');
  }
  if (f.email || sort === 'name') {
    joins.add('personal');
  }
  return joins;
}

const EVERY_JOIN: ReadonlySet<Joined> = new Set(['form_types', 'services', 'agents', 'groups']);

/**
 * FROM and WHERE of a filter, with the joins asked for (each by primary key or foreign key, so
 * none adds or drops a row). `groupByGroup`: the groups named through the groups table, which
 * makes the database read the requests one group after the other (see countRequestsCapped).
 */
function filtered(db: Db, f: RequestFilter, now: number, joins: ReadonlySet<Joined>, groupByGroup = false): Knex.QueryBuilder {
  const q = db('requests as r');
  if (joins.has('form_types')) {
    q.join('form_types as f', 'f.id', 'r.form_type_id');
  }
  if (joins.has('services')) {
    q.join('services as s', 's.id', 'r.service_id');
  }
  if (joins.has('agents')) {
    q.leftJoin('agents as a', 'a.id', 'r.assignee_id');
  }
  if (joins.has('groups')) {
    q.leftJoin('groups as g', 'g.id', 'r.group_id');
  }
  if (joins.has('personal')) {
    // Left: a purged request has no personal row, and still sorts (last) by name.
    q.leftJoin('request_personal as p', 'p.request_id', 'r.id');
  }
  if (groupByGroup) {
    q.whereIn('r.group_id', inGroups(db('groups'), 'id', f.groupIds).select('id'));
  } else {
    inGroups(q, 'r.group_id', f.groupIds);
  }
  q.whereIn('r.status', f.statuses?.length ? f.statuses : [...OPEN_STATUSES]);
  if (f.assigneeId === null) {
    q.whereNull('r.assignee_id');
  } else if (f.assigneeId !== undefined) {
    q.where('r.assignee_id', f.assigneeId);
  }
  if (f.assigned) {
    q.whereNotNull('r.assignee_id');
  }
  if (f.groupId !== undefined) {
    q.where('r.group_id', f.groupId);
  }
  if (f.closedBy !== undefined) {
    closedBy(q, f.closedBy);
  }
  if (f.reference) {
    const ref = f.reference.trim();
    if (/^\d+$/.test(ref)) {
      q.where('r.id', Number(ref));
    } else {
      q.where('r.reference', ref.toUpperCase());
    }
  }
  if (f.trackingCode) {
    q.where('r.tracking_code', normalTrackingCode(f.trackingCode));
  }
  if (f.name) {
    byName(db, q, f.groupIds, f.name);
  }
  if (f.email) {
    q.whereRaw('LOWER(p.email) = ?', [f.email.trim().toLowerCase()]);
  }
  if (f.formTypeSlug) {
    q.where('f.slug', f.formTypeSlug);
  }
  if (f.serviceSlug) {
    q.where('s.slug', f.serviceSlug);
  }
  if (f.closingCode) {
    q.where('r.closing_code', f.closingCode);
  }
  if (f.priorities?.length) {
    q.whereIn('r.priority', f.priorities);
  }
  range(q, 'r.created_at', f.submittedFrom, f.submittedTo);
  range(q, 'r.closed_at', f.closedFrom, f.closedTo);
  if (f.overdue) {
    // Only an unprocessed request or one in progress has a reminder (src/db/deadlines.ts),
    // and both have a due date: said, so that the due order starts past the requests without one.
    q.where('r.remind_at', '<=', now).whereNotNull('r.due_at');
  }
  return q;
}

/** Closed by the agent: their CLOSED event, or (a bulk close, an older history) still assigned to them when closed. */
function closedBy(q: Knex.QueryBuilder, agentId: number): void {
  q.where((w) => {
    w.where('r.assignee_id', agentId).orWhereExists(function closingEvent(this: Knex.QueryBuilder) {
      this.select(1).from('events as ce').whereRaw('ce.request_id = r.id').where({ 'ce.type': 'CLOSED', 'ce.agent_id': agentId });
    });
  });
}

function range(q: Knex.QueryBuilder, column: string, from?: number, to?: number): void {
  if (from !== undefined) {
    q.where(column, '>=', from);
  }
  if (to !== undefined) {
    q.where(column, '<', to);
  }
}

/** A listed request's next deadline, and whether its reminder is past (both kept on the row, src/db/deadlines.ts). */
function deadlineColumns(db: Db, now: number): Knex.Raw[] {
  return [db.raw('r.due_at as due_at'), db.raw('(r.remind_at IS NOT NULL AND r.remind_at <= ?) as overdue', [now])];
}

/** Whether every request the filter lists has a due date: then the due order reads the deadline indexes in order. */
function alwaysDue(f: RequestFilter): boolean {
  return Boolean(f.overdue) || Boolean(f.statuses?.length && f.statuses.every((s) => (ALWAYS_DUE as readonly string[]).includes(s)));
}

function ordered(db: Db, q: Knex.QueryBuilder, f: RequestFilter, sort: Sort, dir: Direction): Knex.QueryBuilder {
  const d = dir === 'asc' ? 'ASC' : 'DESC';
  switch (sort) {
    case 'date':
      q.orderBy('r.created_at', dir);
      break;
    case 'formType':
      q.orderBy('f.title', dir);
      break;
    case 'status':
      q.orderByRaw(`${STATUS_ORDER_SQL} ${d}`);
      break;
    case 'name':
      // By last name, then first name, accents and case ignored; purged requests (no name) last either way.
      q.orderByRaw(`(p.sort_name IS NULL), p.sort_name ${d}`);
      break;
    case 'assignee':
      // Nobody assigned comes last either way.
      q.orderByRaw(`(a.name IS NULL), a.name ${d}`);
      break;
    case 'due':
      // A hold without a date has no due date: last either way.
      if (alwaysDue(f)) {
        q.orderBy('r.due_at', dir);
      } else {
        q.orderByRaw(`(r.due_at IS NULL), r.due_at ${d}`);
      }
      break;
    case 'closedAt':
      q.orderBy('r.closed_at', dir);
      break;
    case 'group':
      q.orderByRaw(`(g.name IS NULL), g.name ${d}`);
      break;
    case 'priority':
      // Ascending is the most urgent first (rank 1 haute); among equals, the oldest first
      // either way: what waits longest is served first. Read from the (status, service_id, priority, created_at) index.
      q.orderBy('r.priority', dir).orderBy('r.created_at', 'asc');
      return q.orderBy('r.id', 'asc');
  }
  return q.orderBy('r.id', dir);
}

export async function countRequests(db: Db, f: RequestFilter, now = Date.now()): Promise<number> {
  const row = await filtered(db, f, now, joinsFor(f)).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * The same count, stopped at MORE (« plus de 10 000 »): what the pages show. The groups come
 * from the groups table: given a list of 20 groups whose requests are most of the table,
 * MariaDB read the (group_id, status, …) index from its very start, through the other groups
 * and the closed requests, before the first match (50 to 90 ms at a million requests), where
 * reading group after group stops at the cap (6 ms).
 */
export function countRequestsCapped(db: Db, f: RequestFilter, now = Date.now()): Promise<number> {
  return cappedCount(db, filtered(db, f, now, joinsFor(f), true));
}

/**
 * One page of the list and the total it is a page of, capped (MORE: « plus de 10 000 »).
 * The page's ids are sorted first on the request rows alone (an index covers most of
 * them); only those ids are then read whole.
 */
export async function searchRequests(db: Db, f: RequestFilter, page: Page, now = Date.now()): Promise<{ rows: NamedRequest[]; total: number }> {
  const offset = (Math.max(1, page.page) - 1) * page.pageSize;
  const [ids, total] = (f.name || f.reference || f.trackingCode) && offset + page.pageSize <= MORE
    ? await pageOfAll(db, f, page, now, offset)
    : await Promise.all([pageIds(db, f, page, now, offset, page.pageSize), countRequestsCapped(db, f, now)]);
  return { rows: await listedRequests(db, ids, now), total };
}

async function pageIds(db: Db, f: RequestFilter, page: Page, now: number, offset: number, limit: number): Promise<number[]> {
  const q = filtered(db, f, now, joinsFor(f, page.sort)).select('r.id');
  const rows: { id: number }[] = await ordered(db, q, f, page.sort, page.dir).limit(limit).offset(offset);
  return rows.map((r) => r.id);
}

/**
 * A search by name reads and sorts every request of the names it finds (`byName`) for its
 * first page anyway: one pass that keeps up to MORE ids gives the page and the capped count,
 * where the count's own query read them all a second time. A reference or a tracking code
 * finds one request at most: its one query says both.
 */
async function pageOfAll(db: Db, f: RequestFilter, page: Page, now: number, offset: number): Promise<[number[], number]> {
  const ids = await pageIds(db, f, page, now, 0, MORE);
  return [ids.slice(offset, offset + page.pageSize), ids.length];
}

/** The citizen's names beside each listed request, in the same query (a purged request has none). */
const CITIZEN_COLUMNS = ['p.first_name as citizen_first_name', 'p.last_name as citizen_last_name'];

/** The requests of these ids, whole, in the order of the ids. */
async function listedRequests(db: Db, ids: number[], now: number): Promise<NamedRequest[]> {
  if (!ids.length) {
    return [];
  }
  const rows: NamedRequest[] = await requestQuery(db)
    .leftJoin('request_personal as p', 'p.request_id', 'r.id')
    .select(...CITIZEN_COLUMNS, ...deadlineColumns(db, now))
    .whereIn('r.id', ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The query of every matching request, in the list's order (the exports read it through a cursor). */
export function orderedRequests(db: Db, f: RequestFilter, sort: Sort, dir: Direction, now = Date.now()): Knex.QueryBuilder {
  const joins = new Set([...EVERY_JOIN, ...joinsFor(f, sort)]);
  // The queue's name too, as a page's rows have it (requestQuery); EVERY_JOIN joins the groups.
  const q = filtered(db, f, now, joins).select(...REQUEST_COLUMNS, 'g.name as group_name', ...deadlineColumns(db, now));
  return ordered(db, q, f, sort, dir);
}

/** Every matching request, read row by row (exports of 100 000 rows never sit in memory). */
export function streamRequests(db: Db, f: RequestFilter, sort: Sort, dir: Direction, now = Date.now()): NodeJS.ReadableStream {
  return orderedRequests(db, f, sort, dir, now).stream();
}

/** The ids of every matching request, for a bulk action over "all N requests of this filter". */
export async function idsMatching(db: Db, f: RequestFilter, sort: Sort, dir: Direction, now = Date.now()): Promise<number[]> {
  const rows: { id: number }[] = await ordered(db, filtered(db, f, now, joinsFor(f, sort)).select('r.id'), f, sort, dir);
  return rows.map((r) => r.id);
}
