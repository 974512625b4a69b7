// The figures of the supervisor's board (« Tableau de bord »), for a few groups at once:
// each figure is one or two grouped queries over all the groups, served by the indexes on
// requests (group_id, status, priority, created_at) and (group_id, assignee_id, status),
// and events (type, at). The board refreshes every few seconds for every supervisor, so no
// figure reads a request or an agent one at a time.
import type { Knex } from 'knex';
import { activated } from './activated';
import { OPEN_STATUSES, PRIORITIES, rankOf } from '../../workflows/definitions';
import type { Db } from './connection';
import { PRESENCES, presenceOf, type Presence } from './presence';

/** When the board is read: now, and today's bounds (the Paris day) for today's figures. */
export interface BoardTime {
  now: number;
  dayStart: number;
  dayEnd: number;
}

export interface AgentRef {
  code: string;
  name: string;
}

export interface CodeCount {
  code: string;
  label: string;
  count: number;
}

export interface GroupBoard {
  id: number;
  name: string;
  /** open requests of the queue that nobody holds, and the one waiting the longest */
  waiting: { count: number; oldest: { reference: string; createdAt: number } | null };
  /** open requests per assignee, the busiest first */
  assigned: (AgentRef & { count: number })[];
  /** the group's members by presence, every presence in its usual order */
  presence: { presence: Presence; agents: AgentRef[] }[];
  /** callbacks planned for the group's requests that are due before the end of this hour */
  callbacksDue: number;
  /** open consultations: asked of this group (its experts must answer), asked by it */
  consultations: { askedOfGroup: number; askedByGroup: number };
  /** unprocessed requests inside their form type's deletion warning, and the first to go */
  nearDeletion: { count: number; soonest: { reference: string; deletionAt: number } | null };
  today: { taken: number; closed: number; closedByCode: CodeCount[]; callsByWrapUpCode: CodeCount[] };
}

const HOUR = 3600_000;

/** The board of each group, in the order of `groups`. */
export async function boardOf(db: Db, groups: { id: number; name: string }[], time: BoardTime): Promise<GroupBoard[]> {
  const ids = groups.map((g) => g.id);
  if (!ids.length) {
    return [];
  }
  const [waiting, assigned, presence, nearDeletion, today, callbacks, consultations, calls] = await Promise.all([
    waitingUnassigned(db, ids),
    assignedPerAgent(db, ids),
    membersByPresence(db, ids),
    closeToDeletion(db, ids, time.now),
    takenAndClosed(db, ids, time),
    callbacksDueThisHour(db, ids, time.now),
    pendingConsultations(db, ids),
    callsByWrapUpCode(db, ids, time),
  ]);
  return groups.map(({ id, name }) => {
    const closedByCode = today.closed.get(id) ?? [];
    return {
      id,
      name,
      waiting: waiting.get(id) ?? { count: 0, oldest: null },
      assigned: assigned.get(id) ?? [],
      presence: PRESENCES.map((p) => ({ presence: p, agents: presence.get(id)?.get(p) ?? [] })),
      callbacksDue: callbacks.get(id) ?? 0,
      consultations: consultations.get(id) ?? { askedOfGroup: 0, askedByGroup: 0 },
      nearDeletion: nearDeletion.get(id) ?? { count: 0, soonest: null },
      today: {
        taken: today.taken.get(id) ?? 0,
        closed: closedByCode.reduce((sum, c) => sum + c.count, 0),
        closedByCode,
        callsByWrapUpCode: calls.get(id) ?? [],
      },
    };
  });
}

/**
 * The first row of each group in `order` and how many rows the group has, in one query
 * (window functions: SQLite 3.25+, MariaDB 10.2+, MySQL 8).
 */
async function firstOfEachGroup<T>(db: Db, rows: Knex.QueryBuilder, order: string, columns: (string | Knex.Raw)[]): Promise<(T & { group_id: number; n: number })[]> {
  const ranked = rows.select(
    'r.group_id', ...columns,
    db.raw(`row_number() over (partition by r.group_id order by ${order}, r.id) as rn`),
    db.raw('count(*) over (partition by r.group_id) as n'),
  );
  return db.from(ranked.as('x')).where('x.rn', 1).select('*');
}

async function waitingUnassigned(db: Db, groupIds: number[]): Promise<Map<number, GroupBoard['waiting']>> {
  // Counted by the index (group_id, assignee_id, status), and dated…
  const counts: { group_id: number; n: number | string; first: number | string }[] = await db('requests')
    .whereIn('group_id', groupIds).whereNull('assignee_id').whereIn('status', OPEN_STATUSES)
    .groupBy('group_id', 'status').select('group_id').count({ n: '*' }).min({ first: 'created_at' });
  const waiting = new Map<number, { count: number; first: number }>();
  for (const c of counts) {
    const w = waiting.get(Number(c.group_id)) ?? { count: 0, first: Infinity };
    waiting.set(Number(c.group_id), { count: w.count + Number(c.n), first: Math.min(w.first, Number(c.first)) });
  }
  if (!waiting.size) {
    return new Map();
  }
  // …then the oldest ones themselves, a few rows found by the same index.
  const oldest: { group_id: number; reference: string; created_at: number | string }[] = await db('requests')
    .whereIn(['group_id', 'created_at'], [...waiting].map(([group, w]) => [group, w.first]))
    .whereNull('assignee_id').whereIn('status', OPEN_STATUSES)
    .orderBy('id').select('group_id', 'reference', 'created_at');
  const board = new Map<number, GroupBoard['waiting']>();
  for (const [group, w] of waiting) {
    const first = oldest.find((o) => Number(o.group_id) === group);
    board.set(group, { count: w.count, oldest: first ? { reference: first.reference, createdAt: Number(first.created_at) } : null });
  }
  return board;
}

/** Unprocessed requests whose deletion (filing + the form type's delay) is within the form type's warning delay, or past. */
async function closeToDeletion(db: Db, groupIds: number[], now: number): Promise<Map<number, GroupBoard['nearDeletion']>> {
  // The latest filing date any form type's warning has reached.
  const bound: { latest?: number | string | null } | undefined = await db('form_types').max({ latest: db.raw('? - deletion_ms + deletion_warning_ms', [now]) }).first();
  const latest = Number(bound?.latest ?? now);
  const rows = await firstOfEachGroup<{ reference: string; deletion_at: number | string }>(db,
    db('requests as r').join('form_types as f', 'f.id', 'r.form_type_id')
      .whereIn('r.group_id', groupIds).where('r.status', 'NON_TRAITEE')
      // every priority named, so that the index (group_id, status, priority, created_at) ranges on created_at
      .whereIn('r.priority', PRIORITIES.map(rankOf)).where('r.created_at', '<=', latest)
      .whereRaw('r.created_at + f.deletion_ms - f.deletion_warning_ms <= ?', [now]),
    'r.created_at + f.deletion_ms', ['r.reference', db.raw('r.created_at + f.deletion_ms as deletion_at')]);
  return new Map(rows.map((r) => [Number(r.group_id), { count: Number(r.n), soonest: { reference: r.reference, deletionAt: Number(r.deletion_at) } }]));
}

async function assignedPerAgent(db: Db, groupIds: number[]): Promise<Map<number, GroupBoard['assigned']>> {
  // Counted from the index (group_id, assignee_id, status) alone, then named.
  const counted = db('requests')
    .whereIn('group_id', groupIds).whereIn('status', OPEN_STATUSES).whereNotNull('assignee_id')
    .groupBy('group_id', 'assignee_id').select('group_id', 'assignee_id').count({ n: '*' });
  const rows: { group_id: number; code: string; name: string; n: number | string }[] = await db.from(counted.as('c'))
    .join('agents as a', 'a.id', 'c.assignee_id')
    .select('c.group_id', 'a.code', 'a.name', 'c.n');
  const byGroup = new Map<number, GroupBoard['assigned']>();
  for (const r of rows) {
    const list = byGroup.get(Number(r.group_id)) ?? [];
    list.push({ code: r.code, name: r.name, count: Number(r.n) });
    byGroup.set(Number(r.group_id), list);
  }
  for (const list of byGroup.values()) {
    list.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'fr'));
  }
  return byGroup;
}

/** The active, activated members of each group (those who can work), by presence, by name. */
async function membersByPresence(db: Db, groupIds: number[]): Promise<Map<number, Map<Presence, AgentRef[]>>> {
  const rows: { group_id: number; code: string; name: string; presence: string }[] = await db('agent_groups as g')
    .join('agents as a', 'a.id', 'g.agent_id')
    .whereIn('g.group_id', groupIds).where('a.active', true).where(activated('a.'))
    .select('g.group_id', 'a.code', 'a.name', 'a.presence');
  // Sorted here: SQLite and MariaDB collate names differently (« Élodie », « agent »).
  rows.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const byGroup = new Map<number, Map<Presence, AgentRef[]>>();
  for (const r of rows) {
    const group = byGroup.get(Number(r.group_id)) ?? new Map<Presence, AgentRef[]>();
    const presence = presenceOf(r);
    group.set(presence, [...(group.get(presence) ?? []), { code: r.code, name: r.name }]);
    byGroup.set(Number(r.group_id), group);
  }
  return byGroup;
}

/** Today's TAKEN events, and CLOSED events by the request's closing code, of the requests now in each group. */
async function takenAndClosed(db: Db, groupIds: number[], time: BoardTime): Promise<{ taken: Map<number, number>; closed: Map<number, CodeCount[]> }> {
  const rows: { group_id: number; type: string; code: string | null; label: string | null; n: number | string }[] = await db('events as e')
    .join('requests as r', 'r.id', 'e.request_id')
    .leftJoin('closing_codes as c', function closingCode() {
      this.on('c.code', '=', 'r.closing_code').andOnVal('e.type', '=', 'CLOSED');
    })
    .whereIn('e.type', ['TAKEN', 'CLOSED']).where('e.at', '>=', time.dayStart).where('e.at', '<', time.dayEnd)
    .whereIn('r.group_id', groupIds)
    .groupBy('r.group_id', 'e.type', 'c.code', 'c.label')
    .select('r.group_id', 'e.type', 'c.code', 'c.label')
    .count({ n: '*' });
  const taken = new Map<number, number>();
  const closed = new Map<number, CodeCount[]>();
  for (const r of rows) {
    const group = Number(r.group_id);
    if (r.type === 'TAKEN') {
      taken.set(group, (taken.get(group) ?? 0) + Number(r.n));
    } else {
      closed.set(group, [...(closed.get(group) ?? []), { code: r.code ?? '', label: r.label ?? r.code ?? '', count: Number(r.n) }]);
    }
  }
  for (const list of closed.values()) {
    list.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'fr'));
  }
  return { taken, closed };
}

// The three figures below come from the callbacks, the consultations and the calls' wrap-up codes.

/** Reads `callbacks` (request_id, group_id, agent_id, due_at, status): the open callbacks (PLANNED, or DUE and not yet done) of each group due before the end of the current hour. */
export async function callbacksDueThisHour(db: Db, groupIds: number[], now: number): Promise<Map<number, number>> {
  const endOfHour = Math.floor(now / HOUR) * HOUR + HOUR; // Paris is a whole number of hours from UTC
  const rows: { group_id: number; n: number | string }[] = await db('callbacks')
    .whereIn('group_id', groupIds).whereIn('status', ['PLANNED', 'DUE']).where('due_at', '<', endOfHour)
    .groupBy('group_id').select('group_id').count({ n: '*' });
  return new Map(rows.map((r) => [Number(r.group_id), Number(r.n)]));
}

/** Reads `consultations` (request_id, from_group_id, to_group_id, status, asked_at): the PENDING ones asked of each group, and by it. */
export async function pendingConsultations(db: Db, groupIds: number[]): Promise<Map<number, GroupBoard['consultations']>> {
  const count = async (column: string) => {
    const rows: { group_id: number; n: number | string }[] = await db('consultations')
      .whereIn(column, groupIds).where('status', 'PENDING')
      .groupBy(column).select(`${column} as group_id`).count({ n: '*' });
    return new Map(rows.map((r) => [Number(r.group_id), Number(r.n)]));
  };
  const [of, by] = await Promise.all([count('to_group_id'), count('from_group_id')]);
  return new Map(groupIds.map((id) => [id, { askedOfGroup: of.get(id) ?? 0, askedByGroup: by.get(id) ?? 0 }]));
}

/** Reads `events` of type CALL_LOGGED and their `wrap_up_code` (labelled by `wrap_up_codes`): today's calls of each group's requests by wrap-up code. */
export async function callsByWrapUpCode(db: Db, groupIds: number[], time: BoardTime): Promise<Map<number, CodeCount[]>> {
  const rows: { group_id: number; code: string; label: string | null; n: number | string }[] = await db('events as e')
    .join('requests as r', 'r.id', 'e.request_id')
    .leftJoin('wrap_up_codes as w', 'w.code', 'e.wrap_up_code')
    .where('e.type', 'CALL_LOGGED').where('e.at', '>=', time.dayStart).where('e.at', '<', time.dayEnd)
    .whereIn('r.group_id', groupIds)
    .groupBy('r.group_id', 'e.wrap_up_code', 'w.label')
    .select('r.group_id', 'e.wrap_up_code as code', 'w.label')
    .count({ n: '*' });
  const byGroup = new Map<number, CodeCount[]>();
  for (const r of rows) {
    // A code the administrator removed since keeps its code as its label.
    byGroup.set(Number(r.group_id), [...(byGroup.get(Number(r.group_id)) ?? []), { code: r.code, label: r.label ?? r.code, count: Number(r.n) }]);
  }
  for (const list of byGroup.values()) {
    list.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code, 'fr'));
  }
  return byGroup;
}
