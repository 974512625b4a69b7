import type { Agent } from '../db/agents';
import { deleteComment, insertComment } from '../db/requests';
import { isEventType } from '../db/views';
import { annotateUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import type { AnnotateProps } from './schemas';

/** Baliser: adds an event of a listed type, with a comment, to the history. */
export async function annotate(ctx: Ctx, agent: Agent, reference: string, props: AnnotateProps) {
  const request = await loadForAgent(ctx, agent, reference);
  if (!(await isEventType(ctx.db, props.eventType))) {
    throw CommandError.of(400, 'UNKNOWN_EVENT_TYPE', { value: props.eventType }, 'eventType');
  }
  await refuseByStatus(ctx, request, 'annotate');
  const commentId = props.comment.trim() ? await insertComment(ctx.db, request.id, props.comment.trim()) : null;
  // The comment is removed only if the workflow certainly refused it (see runUpdate).
  return runUpdate(ctx, request, annotateUpdate, { agentId: agent.id, eventType: props.eventType, commentId }, async () => {
    if (commentId !== null) {
      await deleteComment(ctx.db, commentId);
    }
  });
}
