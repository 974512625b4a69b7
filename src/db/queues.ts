// What the contact-centre views count: each of an agent's queues, unassigned and assigned,
// and the requests they serve.
import { OPEN_STATUSES } from '../../workflows/definitions';
import type { Agent } from './agents';
import type { Db } from './connection';
import { cappedCount } from './cappedCount';
import { inGroups } from './scope';
import { byQueuesStamp } from './stampedCache';

export interface QueueCount {
  groupId: number;
  name: string;
  unassigned: number;
  assigned: number;
}

/** Each of these groups (by name) with its open requests nobody serves yet and those someone does. */
export async function queueCounts(db: Db, groupIds: readonly number[]): Promise<QueueCount[]> {
  const [groups, rows] = await Promise.all([
    inGroups(db('groups'), 'id', groupIds).select('id', 'name').orderBy('name') as Promise<{ id: number; name: string }[]>,
    // Exact, so every open request of the groups is read (200 ms for 20 groups at a million
    // requests): kept until the queues change (src/db/stampedCache.ts).
    byQueuesStamp(db, [...groupIds], 'queueCounts', async (): Promise<{ group_id: number; assignee_id: number | null; n: number | string }[]> =>
      inGroups(db('requests'), 'group_id', groupIds)
        .whereIn('status', [...OPEN_STATUSES])
        .groupBy('group_id', 'assignee_id')
        .select('group_id', 'assignee_id')
        .count({ n: '*' })),
  ]);
  const count = (id: number, assigned: boolean) =>
    rows.filter((r) => Number(r.group_id) === id && (r.assignee_id !== null) === assigned).reduce((sum, r) => sum + Number(r.n), 0);
  return groups.map((g) => ({ groupId: Number(g.id), name: g.name, unassigned: count(Number(g.id), false), assigned: count(Number(g.id), true) }));
}

/** The open requests assigned to the agent, in any status (« Mes dossiers »), capped (see cappedCount). */
export async function countOpenOf(db: Db, agentId: number, groupIds: readonly number[]): Promise<number> {
  return cappedCount(db, inGroups(db('requests'), 'group_id', groupIds).where({ assignee_id: agentId }).whereIn('status', [...OPEN_STATUSES]));
}

/**
 * Whether the agent works in a contact centre: a member of a group the administrator made
 * (not only of their services' own groups). Their nav leads with the group's queue.
 */
export const inContactCentre = (agent: Pick<Agent, 'memberships'>): boolean => agent.memberships.some((m) => !m.followsService);
