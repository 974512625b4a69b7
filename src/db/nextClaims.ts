// « Traiter la suivante »: which request to serve an agent next, and the short claim that
// keeps two agents pressing at once from being served the same one.
import type { Db } from './connection';
import { isUniqueViolation } from './idempotency';
import { OPEN_STATUSES } from '../../workflows/definitions';

/** A claim older than this was left by a call that died between claim and assign: ignored. */
export const CLAIM_TTL_MS = 30_000;

export interface Candidate {
  id: number;
  reference: string;
}

/**
 * The open unassigned requests of these groups, most urgent first: priority (haute
 * first), then the nearest deletion date (a NON_TRAITEE request is deleted when its form
 * type's delay runs out; the others have none, so come after), then the oldest; those
 * another agent is being served now are left out.
 */
export async function nextCandidates(db: Db, groupIds: number[], now: number, limit = 25): Promise<Candidate[]> {
  if (!groupIds.length) {
    return [];
  }
  const rows: { id: number | string; reference: string }[] = await db('requests as r')
    .whereIn('r.group_id', groupIds)
    .whereIn('r.status', OPEN_STATUSES)
    .whereNull('r.assignee_id')
    .whereNotExists((q) => q.from('next_claims as c').whereRaw('c.request_id = r.id').where('c.claimed_at', '>', now - CLAIM_TTL_MS))
    .orderBy('r.priority', 'asc')
    .orderByRaw("case when r.status = 'NON_TRAITEE' then 0 else 1 end")
    // An unprocessed request's due date is its deletion (src/db/deadlines.ts).
    .orderByRaw("case when r.status = 'NON_TRAITEE' then r.due_at else 0 end")
    .orderBy('r.created_at', 'asc')
    .orderBy('r.id', 'asc')
    .limit(limit)
    .select('r.id', 'r.reference');
  return rows.map((r) => ({ id: Number(r.id), reference: r.reference }));
}

/**
 * Claims a request for an agent: true when no live claim holds it. Of two agents inserting
 * at once the second hits the primary key; a claim left by a call that died is removed,
 * and the insert tried once more. (Only then a delete: on SQLite every write waits its turn.)
 */
export async function claim(db: Db, requestId: number, agentId: number, now: number): Promise<boolean> {
  if (await insertClaim(db, requestId, agentId, now)) {
    return true;
  }
  const removed = await db('next_claims').where({ request_id: requestId }).where('claimed_at', '<=', now - CLAIM_TTL_MS).delete();
  return removed > 0 && insertClaim(db, requestId, agentId, now);
}

async function insertClaim(db: Db, requestId: number, agentId: number, now: number): Promise<boolean> {
  try {
    await db('next_claims').insert({ request_id: requestId, agent_id: agentId, claimed_at: now });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

export async function unclaim(db: Db, requestId: number, agentId: number): Promise<void> {
  await db('next_claims').where({ request_id: requestId, agent_id: agentId }).delete();
}
