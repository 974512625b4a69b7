import type { Agent } from '../db/agents';
import { claim, nextCandidates, unclaim } from '../db/nextClaims';
import { authorize } from '../policies';
import { assign } from './assign';
import type { Ctx, UpdateOutcome } from './context';
import { CommandError } from './errors';

/** Rounds of candidates read before saying there is nothing to serve: others may have taken a whole batch meanwhile. */
const ROUNDS = 3;

/**
 * « Traiter la suivante »: assigns the agent the most urgent unassigned open request of
 * their groups. Each candidate is claimed first (a row whose key another agent's claim
 * already holds is skipped), then assigned through the workflow's Update, which still
 * refuses one assigned meanwhile by any other way (the request page, a dispatcher): the
 * next candidate is then tried. Offered only to an agent who is « Disponible ».
 */
export async function serveNext(ctx: Ctx, agent: Agent): Promise<UpdateOutcome> {
  authorize(agent, 'next');
  for (let round = 0; round < ROUNDS; round += 1) {
    const candidates = await nextCandidates(ctx.db, agent.groupIds, Date.now());
    if (!candidates.length) {
      break;
    }
    for (const candidate of candidates) {
      const served = await tryServe(ctx, agent, candidate);
      if (served) {
        return served;
      }
    }
  }
  throw CommandError.of(404, 'NOTHING_TO_SERVE');
}

async function tryServe(ctx: Ctx, agent: Agent, candidate: { id: number; reference: string }): Promise<UpdateOutcome | null> {
  if (!(await claim(ctx.db, candidate.id, agent.id, Date.now()))) {
    return null;
  }
  try {
    return await assign(ctx, agent, candidate.reference);
  } catch (err) {
    // Assigned, closed or moved to another group since it was read: the next one.
    if (err instanceof CommandError && [403, 404, 409].includes(err.status)) {
      return null;
    }
    throw err;
  } finally {
    // The Update answered after the projection was written: the request no longer waits unassigned.
    await unclaim(ctx.db, candidate.id, agent.id);
  }
}
