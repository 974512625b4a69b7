import type { Agent } from '../db/agents';
import { findRequestById, type RequestRow } from '../db/requests';
import { findSplit, insertSplit, partIdsOf } from '../db/splits';
import { authorize } from '../policies';
import { startOnce, workflowExists } from '../temporal/client';
import { splitWorkflow, splitWorkflowId } from '../../workflows/split';
import type { Refusal } from '../../workflows/lifecycle';
import { loadForAgent, refusalMessage, refuseByStatus, UPDATE_DEADLINE_MS, type Ctx } from './context';
import { CommandError } from './errors';
import type { SplitProps } from './schemas';

/** What a split leaves: the original (closed) and its two parts, as they now stand. */
export interface SplitOutcome {
  original: RequestRow;
  parts: RequestRow[];
}

/**
 * Scinder (Athena §13): the request becomes two new ones of the same citizen, each with a
 * copy of its messages and files and the agent's message saying what it is about, both
 * assigned to the agent; the original gets a visible message and is closed (SCINDEE); the
 * citizen gets one e-mail naming both. Run by one durable workflow (workflows/split.ts);
 * refused before anything is written when the request is closed, not the agent's to split,
 * or a part's message is empty.
 */
export async function split(ctx: Ctx, agent: Agent, reference: string, props: SplitProps): Promise<SplitOutcome> {
  const request = await loadForAgent(ctx, agent, reference);
  authorize(agent, 'split', request);
  await refuseByStatus(ctx, request, 'message'); // any open request; a closed one is « déjà clôturée »
  const splitId = await insertSplit(ctx.db, {
    originalId: request.id, agentId: agent.id, originalMessage: props.message?.trim() || null,
    messages: [props.parts[0].message, props.parts[1].message],
  });
  if (splitId === null) {
    throw CommandError.of(409, 'SPLIT_IN_PROGRESS');
  }
  await startOnce(ctx.client, splitWorkflow, { workflowId: splitWorkflowId(ctx.config.referencePrefix, splitId), taskQueue: ctx.config.taskQueue, args: [{ splitId }] })
    .catch(async (err: Error) => {
      // Not started (or unknown): the row names no request yet; it is released, unless the start did land.
      if (!(await workflowExists(ctx.client, splitWorkflowId(ctx.config.referencePrefix, splitId)))) {
        await ctx.db('splits').where({ id: splitId, status: 'PENDING' }).whereNull('first_request_id').delete();
        throw new CommandError(503, 'UNAVAILABLE', `${CommandError.of(503, 'UNAVAILABLE').message} (${err.message})`);
      }
    });
  return outcome(ctx, splitId);
}

/**
 * Waits for the split to be done or refused (its row says so; the citizen's e-mail may
 * still be on its way). A worker down for longer than the deadline: the split carries on
 * without the agent, who is told so.
 */
async function outcome(ctx: Ctx, splitId: number): Promise<SplitOutcome> {
  const deadline = Date.now() + UPDATE_DEADLINE_MS;
  for (;;) {
    const row = (await findSplit(ctx.db, splitId))!;
    const parts = partIdsOf(row);
    if (row.status === 'DONE' && parts) {
      const [original, ...made] = await Promise.all([Number(row.original_request_id), ...parts].map((id) => findRequestById(ctx.db, id)));
      return { original: original!, parts: made.map((p) => p!) };
    }
    if (row.status === 'REFUSED') {
      throw await refusalMessage(ctx, { code: (row.refusal ?? 'ALREADY_CLOSED') as Refusal['code'], assigneeId: null });
    }
    if (Date.now() > deadline) {
      throw CommandError.of(503, 'SPLIT_UNCONFIRMED');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
