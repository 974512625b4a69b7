import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Agent } from '../db/agents';
import { mergeThatMade, ownMessageCount } from '../db/merges';
import { undoMergeUpdate, mergeWorkflowIdOf } from '../../workflows/mergeDefinitions';
import { loadForAgent, UPDATE_DEADLINE_MS, type Ctx } from './context';
import { CommandError } from './errors';

/**
 * Annuler la fusion: while the merged request is untouched (no action, no message since),
 * the sources reopen as they were and the merged request is withdrawn. The merge
 * workflow decides, against an action taken at the same moment on the new request.
 */
export async function undoMerge(ctx: Ctx, agent: Agent, reference: string): Promise<{ status: 'UNDONE'; references: string[] }> {
  const request = await loadForAgent(ctx, agent, reference);
  const made = await mergeThatMade(ctx.db, request.id);
  if (!made) {
    throw CommandError.of(409, 'MERGE_NOT_UNDOABLE');
  }
  if ((await ownMessageCount(ctx.db, request.id)) > 0) {
    throw CommandError.of(409, 'MERGE_TOUCHED');
  }
  const handle = ctx.client.workflow.getHandle(mergeWorkflowIdOf(ctx.config.referencePrefix, Number(made.id)));
  try {
    await ctx.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(undoMergeUpdate, { args: [{ agentId: agent.id }] }));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const code = (err.cause.details?.[0] as { code?: string } | undefined)?.code ?? 'MERGE_NOT_UNDOABLE';
      throw CommandError.of(409, code);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw CommandError.of(409, 'MERGE_NOT_UNDOABLE'); // final meanwhile: the merge workflow has ended
    }
    throw err;
  }
  const sources: { reference: string }[] = await ctx.db('merge_sources as s').join('requests as r', 'r.id', 's.request_id').where('s.merge_id', made.id).orderBy('s.position').select('r.reference');
  return { status: 'UNDONE', references: sources.map((s) => s.reference) };
}
