import type { Agent } from '../db/agents';
import { insertBulkJob, type BulkAction } from '../db/bulkJobs';
import { existingRequestIds } from '../db/requests';
import { isChoosableClosingCode } from '../db/views';
import { bulkWorkflow, bulkWorkflowId } from '../../workflows/bulk';
import type { Ctx } from './context';
import { CommandError } from './errors';
import { reassignTarget } from './reassign';
import { workflowStartFailures } from '../ops/metrics';

/** A job's items are written in one transaction and its selection is read at once: a sane ceiling for both. */
export const MAX_BULK = 5000;

export interface BulkProps {
  action: BulkAction;
  requestIds: number[];
  closingCode?: string;
  /** agent code, for reassign */
  targetAgent?: string;
  notifyCitizen: boolean;
}

/** A bulk action as it will run: the requests it names, the closing code's or the agent's id. */
export interface CheckedBulk {
  ids: number[];
  closingCode: string | null;
  targetAgentId: number | null;
}

/**
 * What a bulk submission asks, checked before anything starts (the confirmation of a bulk
 * close says how many requests it closes, and a refusal comes before it, not after).
 */
export async function checkBulk(ctx: Ctx, props: BulkProps): Promise<CheckedBulk> {
  const asked = [...new Set(props.requestIds)];
  if (asked.length > MAX_BULK) {
    throw CommandError.of(400, 'BULK_TOO_MANY', { max: String(MAX_BULK), count: String(asked.length) }, 'ids');
  }
  // An id of no request cannot be an item (a hand-made form may hold any number); another
  // service's is kept, and refused by the job as « Demande inconnue ».
  const existing = await existingRequestIds(ctx.db, asked);
  const ids = asked.filter((id) => existing.has(id));
  if (ids.length === 0) {
    throw CommandError.of(400, 'BULK_EMPTY', {}, 'ids');
  }
  let closingCode: string | null = null;
  let targetAgentId: number | null = null;
  if (props.action === 'close') {
    closingCode = props.closingCode ?? '';
    if (!closingCode) {
      throw CommandError.of(400, 'CLOSING_CODE_REQUIRED', {}, 'closingCode');
    }
    if (!(await isChoosableClosingCode(ctx.db, closingCode))) {
      throw CommandError.of(400, 'UNKNOWN_CLOSING_CODE', { value: closingCode }, 'closingCode');
    }
  }
  if (props.action === 'reassign') {
    if (!props.targetAgent) {
      throw CommandError.of(400, 'AGENT_REQUIRED', {}, 'agent');
    }
    targetAgentId = (await reassignTarget(ctx.db, props.targetAgent)).id;
  }
  return { ids, closingCode, targetAgentId };
}

/**
 * Starts a bulk action: the job and its items are written, then its workflow applies the
 * action request by request. Each request is checked then as for a single action (service,
 * status, a colleague faster): the report says which were refused and why.
 */
export async function startBulk(ctx: Ctx, agent: Agent, props: BulkProps): Promise<number> {
  const { ids, closingCode, targetAgentId } = await checkBulk(ctx, props);
  const jobId = await insertBulkJob(ctx.db, {
    agentId: agent.id, action: props.action, closingCode, targetAgentId, notifyCitizen: props.notifyCitizen, requestIds: ids,
  });
  await ctx.client.workflow.start(bulkWorkflow, { workflowId: bulkWorkflowId(jobId), taskQueue: ctx.config.taskQueue, args: [{ jobId }] })
    .catch((err: unknown) => {
      workflowStartFailures.inc({ workflow: 'bulkWorkflow' });
      throw err;
    });
  return jobId;
}
