// What changed lately, for the pages that poll to learn that a colleague acted
// (src/web/routes/refresh.ts).
import type { Db } from './connection';
import { inGroups } from './scope';

/** Changes as soon as a request of these groups' queues is filed or changes status, assignee, group… */
export async function queuesStamp(db: Db, groupIds: number[]): Promise<string> {
  const row = await inGroups(db('requests'), 'group_id', groupIds)
    .max({ at: 'updated_at' })
    .count({ n: '*' })
    .first();
  return `${Number(row?.at ?? 0)}.${Number(row?.n ?? 0)}`;
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
