import type { Agent } from '../db/agents';
import { deleteComment, insertComment } from '../db/requests';
import { setWaitingForCitizen } from '../db/messages';
import { holdUpdate } from '../../workflows/definitions';
import { loadForAgent, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';

export interface HoldProps {
  /** why the request waits (free text, personal data: kept out of the workflow) */
  reason: string;
  /** epoch ms after which it comes back to EN_COURS by itself; null for no date */
  until: number | null;
  /** waiting for the citizen's answer: their answer through a message link resumes it */
  waitingForCitizen?: boolean;
}

/** Mettre en attente: EN_COURS → EN_ATTENTE with a reason; no reminders while waiting. */
export async function hold(ctx: Ctx, agent: Agent, reference: string, props: HoldProps) {
  const request = await loadForAgent(ctx, agent, reference);
  if (props.until !== null && props.until <= Date.now()) {
    throw CommandError.of(400, 'HOLD_UNTIL_PAST', {}, 'until');
  }
  const commentId = await insertComment(ctx.db, request.id, props.reason);
  let state;
  try {
    state = await runUpdate(ctx, request, holdUpdate, { agentId: agent.id, commentId, until: props.until });
  } catch (err) {
    await deleteComment(ctx.db, commentId);
    throw err;
  }
  // After the hold is written: the projection's hold reset this flag if it was left from an earlier hold.
  await setWaitingForCitizen(ctx.db, request.id, Boolean(props.waitingForCitizen));
  return state;
}
