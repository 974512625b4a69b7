import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Ctx } from '../commands/context';

export const digestWorkflowId = (taskQueue: string): string => `digest-${taskQueue}`;
export const announcerWorkflowId = (taskQueue: string): string => `announcer-${taskQueue}`;

/**
 * Starts a deployment's one workflow of a type unless it runs already: every worker calls
 * this at start, and the fixed workflow id makes all but the first call a no-op.
 */
async function ensureSingleton(ctx: Ctx, type: string, workflowId: string): Promise<boolean> {
  try {
    await ctx.client.workflow.start(type, { workflowId, taskQueue: ctx.config.taskQueue, args: [] });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return false;
    }
    throw err;
  }
}

/** The daily digest (workflows/digest.ts). */
export const ensureDigestWorkflow = (ctx: Ctx): Promise<boolean> =>
  ensureSingleton(ctx, 'digestWorkflow', digestWorkflowId(ctx.config.taskQueue));

/** The batches of information e-mails on new requests (workflows/announcer.ts), unless they go one by one. */
export const ensureAnnouncerWorkflow = async (ctx: Ctx): Promise<boolean> =>
  ctx.config.newRequestBatchSeconds > 0 && ensureSingleton(ctx, 'announcerWorkflow', announcerWorkflowId(ctx.config.taskQueue));
