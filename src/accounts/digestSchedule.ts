import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Ctx } from '../commands/context';

export const digestWorkflowId = (taskQueue: string): string => `digest-${taskQueue}`;

/**
 * Starts the daily digest workflow unless it runs already: every worker calls this at
 * start, and the fixed workflow id makes all but the first call a no-op.
 */
export async function ensureDigestWorkflow(ctx: Ctx): Promise<boolean> {
  try {
    await ctx.client.workflow.start('digestWorkflow', {
      workflowId: digestWorkflowId(ctx.config.taskQueue),
      taskQueue: ctx.config.taskQueue,
      args: [],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return false;
    }
    throw err;
  }
}
