// Callbacks planned on requests (issue 13): the rows behind the workflow's timers. The
// number to call is personal data: it is removed with the rest at the purge (purgeRequest).
import type { Knex } from 'knex';
import type { Agent } from './agents';
import type { Db } from './connection';
import { PRESENCES, presenceOf } from './presence';
import { inGroups } from './scope';

export type CallbackStatus = 'PLANNED' | 'DUE' | 'DONE' | 'CANCELLED';

export interface CallbackRow {
  id: number;
  request_id: number;
  group_id: number;
  agent_id: number;
  due_at: number;
  phone: string | null;
  reassign_to_me: boolean | number;
  status: CallbackStatus;
  created_at: number;
  fired_at: number | null;
  done_at: number | null;
}

/** A callback as the pages show it: with who planned it, their presence, and its request. */
export interface CallbackView extends CallbackRow {
  agent_code: string;
  agent_name: string;
  agent_presence: string;
  reference: string;
  form_title: string;
}

export async function insertCallback(db: Db, c: { requestId: number; groupId: number; agentId: number; dueAt: number; phone: string; reassignToMe: boolean; at: number }): Promise<number> {
  const [id] = await db('callbacks').insert({
    request_id: c.requestId, group_id: c.groupId, agent_id: c.agentId, due_at: c.dueAt, phone: c.phone,
    reassign_to_me: c.reassignToMe, status: 'PLANNED', created_at: c.at,
  });
  return Number(id);
}

export async function deleteCallback(db: Db, id: number): Promise<void> {
  await db('callbacks').where({ id }).delete();
}

export async function findCallback(db: Db, requestId: number, id: number): Promise<CallbackRow | undefined> {
  return db('callbacks').where({ id, request_id: requestId }).first();
}

/** A moved callback is planned again, at its new time (one already due too). */
export async function moveCallbackRow(db: Db, id: number, dueAt: number, agentId: number): Promise<void> {
  await db('callbacks').where({ id }).whereIn('status', ['PLANNED', 'DUE']).update({ due_at: dueAt, status: 'PLANNED', fired_at: null, moved_by_agent_id: agentId });
}

export async function cancelCallbackRow(db: Db, id: number, at: number): Promise<void> {
  await db('callbacks').where({ id }).whereIn('status', ['PLANNED', 'DUE']).update({ status: 'CANCELLED', done_at: at });
}

/**
 * Marks a callback due at its hour; the row when it was planned for then, undefined when
 * it was cancelled or moved later meanwhile (the timer that fired is stale). A retry after
 * a crash finds it already DUE (fired at this very time) and answers the same.
 */
export async function markCallbackDue(db: Db, id: number, at: number): Promise<CallbackRow | undefined> {
  await db('callbacks').where({ id, status: 'PLANNED' }).where('due_at', '<=', at).update({ status: 'DUE', fired_at: at });
  const row: CallbackRow | undefined = await db('callbacks').where({ id, status: 'DUE' }).first();
  return row && Number(row.fired_at) === at ? row : undefined;
}

/** A call recorded on the request: its due callbacks are done. */
export async function closeDueCallbacks(db: Db, requestId: number, at: number): Promise<number> {
  return db('callbacks').where({ request_id: requestId, status: 'DUE' }).update({ status: 'DONE', done_at: at });
}

/** Whether the agent may be given the request back now: active, « Disponible », still in its group. */
export async function availableInGroup(db: Db, agentId: number, groupId: number): Promise<boolean> {
  const row = await db('agents as a')
    .join('agent_groups as g', 'g.agent_id', 'a.id')
    .where({ 'a.id': agentId, 'g.group_id': groupId, 'a.active': true })
    .first('a.presence');
  return row !== undefined && presenceOf(row) === 'DISPONIBLE';
}

const viewQuery = (db: Db) => db('callbacks as c')
  .join('agents as a', 'a.id', 'c.agent_id')
  .join('requests as r', 'r.id', 'c.request_id')
  .join('form_types as f', 'f.id', 'r.form_type_id')
  .select('c.*', 'a.code as agent_code', 'a.name as agent_name', 'a.presence as agent_presence', 'r.reference', 'f.title as form_title');

/** The callbacks of a request still to make (planned or due), soonest first. */
export async function openCallbacksOf(db: Db, requestId: number): Promise<CallbackView[]> {
  return viewQuery(db).where('c.request_id', requestId).whereIn('c.status', ['PLANNED', 'DUE']).orderBy('c.due_at');
}

/** The planned or due callbacks of the agent's groups, soonest first (at most 500). */
export async function openCallbacksOfGroups(db: Db, groupIds: readonly number[]): Promise<CallbackView[]> {
  // A closed request's callbacks wait for its purge: they are nobody's to make.
  return inGroups(viewQuery(db), 'c.group_id', groupIds).whereIn('c.status', ['PLANNED', 'DUE']).whereNot('r.status', 'CLOTUREE').orderBy('c.due_at').limit(500);
}

/**
 * Whose a due callback is: the planner's when they asked for it back and are
 * « Disponible » (and still in the group); otherwise the group's.
 */
export function dueFor(c: Pick<CallbackView, 'reassign_to_me' | 'agent_presence'>): 'agent' | 'group' {
  return Boolean(c.reassign_to_me) && presenceOf({ presence: c.agent_presence }) === 'DISPONIBLE' ? 'agent' : 'group';
}

/** The « À rappeler » of an agent: their own due callbacks, the group's, and those planned later. */
export function sortCallbacks(agent: Agent, rows: CallbackView[]) {
  const due = rows.filter((c) => c.status === 'DUE');
  return {
    mine: due.filter((c) => isMine(agent, c)),
    group: due.filter((c) => dueFor(c) === 'group'),
    planned: rows.filter((c) => c.status === 'PLANNED'),
  };
}

const isMine = (agent: Agent, c: Pick<CallbackView, 'agent_id' | 'reassign_to_me' | 'agent_presence'>) =>
  Number(c.agent_id) === agent.id && dueFor(c) === 'agent';

/**
 * How many due callbacks wait for the agent (their own and their groups'): the nav's count, as
 * a subquery of its badges' one row (src/db/navBadges.ts). A due callback is the agent's own
 * when it was asked back by them and they are « Disponible » (dueFor: any presence not known
 * reads as Disponible); the others are the group's, counted for every member.
 */
export function dueForCount(db: Db, agent: Pick<Agent, 'id' | 'groupIds'>): Knex.QueryBuilder {
  const notAvailable = PRESENCES.filter((p) => p !== 'DISPONIBLE');
  return inGroups(db('callbacks as c'), 'c.group_id', agent.groupIds)
    .join('agents as a', 'a.id', 'c.agent_id')
    .join('requests as r', 'r.id', 'c.request_id')
    .where('c.status', 'DUE')
    .whereNot('r.status', 'CLOTUREE')
    .where((mine) => mine.where('c.agent_id', agent.id).orWhere((group) => group.where('c.reassign_to_me', false).orWhereIn('a.presence', notAvailable)))
    .count({ n: '*' });
}

/** The number of the request's last callback (to prefill the next one). */
export async function lastPhoneOf(db: Db, requestId: number): Promise<string | null> {
  const row: { phone: string | null } | undefined = await db('callbacks').where({ request_id: requestId }).orderBy('id', 'desc').first('phone');
  return row?.phone ?? null;
}
