import type { Agent } from '../db/agents';
import { findGroupByName } from '../db/groups';
import { deleteComment, insertComment } from '../db/requests';
import { transferUpdate } from '../../workflows/definitions';
import { refusalOf } from '../../workflows/lifecycle';
import { loadForAgent, refusalMessage, refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import type { TransferProps } from './schemas';

/**
 * Assigner à un autre groupe: the request leaves its group's queue for another's, with the
 * reason; nobody holds it any more and its status stays. From now on the other group's
 * agents see and act on it, and the agents of the group it left no longer do.
 */
export async function transfer(ctx: Ctx, agent: Agent, reference: string, props: TransferProps) {
  const request = await loadForAgent(ctx, agent, reference, 'transfer');
  const target = await findGroupByName(ctx.db, props.group);
  if (!target) {
    throw CommandError.of(400, 'UNKNOWN_GROUP', { value: props.group }, 'group');
  }
  await refuseByStatus(ctx, request, 'transfer');
  const move = { seen: Number(request.group_id), current: Number(request.group_id), to: Number(target.id) };
  const same = refusalOf('transfer', { status: request.status, assigneeId: request.assignee_id }, { group: move });
  if (same) {
    throw await refusalMessage(ctx, same);
  }
  const commentId = await insertComment(ctx.db, request.id, props.reason);
  const args = { agentId: agent.id, fromGroupId: move.seen, toGroupId: move.to, commentId };
  // The reason is removed only if the workflow certainly refused it (see runUpdate).
  const outcome = await runUpdate(ctx, request, transferUpdate, args, () => deleteComment(ctx.db, commentId));
  return { ...outcome, group: target };
}
