import type { Agent } from '../db/agents';
import { deleteComment, insertComment } from '../db/requests';
import { holdUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import { frenchDate } from '../dates';

export interface HoldProps {
  /** why the request waits (free text, personal data: kept out of the workflow) */
  reason: string;
  /** epoch ms after which it comes back to EN_COURS by itself; null for no date */
  until: number | null;
  /** waiting for the citizen's answer: their answer through a message link resumes it */
  waitingForCitizen?: boolean;
}

/** A hold lasts a year at most: a date further off is a typo (or 9999-12-31), not a plan. */
export const MAX_HOLD_MS = 366 * 24 * 3600 * 1000;

function refuseBadUntil(until: number | null, now: number): void {
  if (until === null) {
    return;
  }
  if (!Number.isFinite(until) || until <= now) {
    throw CommandError.of(400, 'HOLD_UNTIL_PAST', {}, 'until');
  }
  if (until > now + MAX_HOLD_MS) {
    throw CommandError.of(400, 'HOLD_UNTIL_TOO_FAR', { max: frenchDate(now + MAX_HOLD_MS, 'longDay') }, 'until');
  }
}

/** Mettre en attente: EN_COURS → EN_ATTENTE with a reason; no reminders while waiting. */
export async function hold(ctx: Ctx, agent: Agent, reference: string, props: HoldProps) {
  const request = await loadForAgent(ctx, agent, reference);
  refuseBadUntil(props.until, Date.now());
  await refuseByStatus(ctx, request, 'hold');
  const commentId = await insertComment(ctx.db, request.id, props.reason);
  // The reason is removed only if the workflow certainly refused it (see runUpdate).
  const args = { agentId: agent.id, commentId, until: props.until, waitingForCitizen: Boolean(props.waitingForCitizen) };
  return runUpdate(ctx, request, holdUpdate, args, () => deleteComment(ctx.db, commentId));
}
