// What changed lately, for the pages that poll to learn that a colleague acted
// (src/web/routes/refresh.ts).
import type { Knex } from 'knex';
import type { Db } from './connection';
import { inGroups } from './scope';

/**
 * Changes as soon as a request of these groups' queues is filed or changes status,
 * assignee, priority… (its updated_at moves), or leaves one of them for another group (a
 * TRANSFERRED event from it). Each part reads one index entry per group, on the indexes
 * (group_id, updated_at) and (source_group_id, at): every page and every poll asks for it,
 * and counting the groups' requests instead read a million index entries.
 */
export function queuesStamp(db: Db, groupIds: number[]): Promise<string> {
  // A page asks twice at once (its nav's counts and its first poll's stamp): one reading serves both.
  let byGroups = inFlight.get(db);
  if (!byGroups) {
    byGroups = new Map();
    inFlight.set(db, byGroups);
  }
  const key = groupIds.join(',');
  const pending = byGroups.get(key);
  if (pending) {
    return pending;
  }
  const reading = readQueuesStamp(db, groupIds).finally(() => byGroups.delete(key));
  byGroups.set(key, reading);
  return reading;
}

/** The readings under way, per database (the tests run several in one process) and set of groups. */
const inFlight = new WeakMap<Db, Map<string, Promise<string>>>();

async function readQueuesStamp(db: Db, groupIds: number[]): Promise<string> {
  // Both parts in one query (each query costs the web process a socket write and its parsing),
  // each still grouped by group so that it reads one index entry per group.
  const latest = (q: Knex.QueryBuilder, as: string) => db.from(q.as('g')).max('g.at').as(as);
  const row: { updated: number | string | null; left_at: number | string | null } = await db.first(
    latest(inGroups(db('requests'), 'group_id', groupIds).groupBy('group_id').max({ at: 'updated_at' }), 'updated'),
    latest(inGroups(db('events'), 'source_group_id', groupIds).groupBy('source_group_id').max({ at: 'at' }), 'left_at'),
  );
  return `${Number(row.updated ?? 0)}.${Number(row.left_at ?? 0)}`;
}

export interface LatestEvent {
  type: string;
  /** the agent who wrote it, null for the system or the citizen */
  agent_id: number | null;
  name: string | null;
}

/** The latest event of a request written after the event `seq`, if any. */
export async function latestEventAfter(db: Db, requestId: number, seq: number): Promise<LatestEvent | undefined> {
  return db('events as e')
    .leftJoin('agents as a', 'a.id', 'e.agent_id')
    .where('e.request_id', requestId)
    .where('e.seq', '>', seq)
    .orderBy('e.seq', 'desc')
    .first('e.type', 'a.name', 'e.agent_id');
}
