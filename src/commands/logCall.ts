import type { Agent } from '../db/agents';
import { closeDueCallbacks } from '../db/callbacks';
import { codeExists } from '../db/codes';
import { deleteComment, insertComment } from '../db/requests';
import { NO_ANSWER } from '../../workflows/callbacks';
import { logCallUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx, type UpdateOutcome } from './context';
import { CommandError } from './errors';
import type { LogCallProps } from './schemas';

/**
 * « Enregistrer l'appel »: the call's wrap-up code (and a note) in the history, as a
 * CALL_LOGGED event; the request's due callbacks are done. After « Pas de réponse » the
 * caller offers to plan a callback at once.
 */
export async function logCall(ctx: Ctx, agent: Agent, reference: string, props: LogCallProps): Promise<UpdateOutcome & { offerCallback: boolean }> {
  const request = await loadForAgent(ctx, agent, reference, 'logCall');
  await refuseByStatus(ctx, request, 'logCall');
  const wrapUpCode = props.wrapUpCode.toUpperCase();
  if (!(await codeExists(ctx.db, 'wrap_up_codes', wrapUpCode))) {
    throw CommandError.of(400, 'UNKNOWN_WRAP_UP_CODE', { value: props.wrapUpCode }, 'wrapUpCode');
  }
  const commentId = props.note ? await insertComment(ctx.db, request.id, props.note) : null;
  const outcome = await runUpdate(ctx, request, logCallUpdate, { agentId: agent.id, wrapUpCode, commentId }, async () => {
    if (commentId !== null) {
      await deleteComment(ctx.db, commentId);
    }
  });
  await closeDueCallbacks(ctx.db, request.id, Date.now());
  return { ...outcome, offerCallback: wrapUpCode === NO_ANSWER };
}
