import { z } from 'zod';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Agent } from '../db/agents';
import { createMerge, findMerge } from '../db/merges';
import { findRequest, type RequestRow } from '../db/requests';
import { authorize } from '../policies';
import { startOnce } from '../temporal/client';
import { mergeWorkflow } from '../../workflows/merge';
import { mergeOutcomeUpdate, mergeWorkflowIdOf, type MergeOutcome } from '../../workflows/mergeDefinitions';
import { UPDATE_DEADLINE_MS, type Ctx } from './context';
import { CommandError } from './errors';

export const MAX_MERGED = 10;

/** The references of the requests to merge (2 to 10), in the order the agent saw them. */
export const mergeSchema = z.object({
  references: z.array(z.string().trim().min(1).max(40)).min(2).max(MAX_MERGED)
    .meta({ description: 'The references of 2 to 10 open requests of one citizen (same citizen file, or same e-mail address).' }),
});
export type MergeProps = z.output<typeof mergeSchema>;

export type Merged = { status: 'DONE'; reference: string; mergeId: number } | { status: 'PENDING'; mergeId: number };

/** The same citizen: one citizen's file for all, or one e-mail address (case aside) for all. */
async function sameCitizen(ctx: Ctx, requests: RequestRow[]): Promise<boolean> {
  const files = new Set(requests.map((r) => (r.citizen_id === null ? null : Number(r.citizen_id))));
  if (files.size === 1 && !files.has(null)) {
    return true;
  }
  const rows: { email: string | null }[] = await ctx.db('request_personal').whereIn('request_id', requests.map((r) => r.id)).select('email');
  const emails = new Set(rows.map((r) => r.email?.trim().toLowerCase() || null));
  return rows.length === requests.length && emails.size === 1 && !emails.has(null);
}

/**
 * The requests of a merge, oldest first, each loaded and checked: the agent's own groups, open, not
 * already being merged, one citizen. The first refusal says which request and why, and
 * nothing is written.
 */
export async function mergeableRequests(ctx: Ctx, agent: Agent, references: string[]): Promise<RequestRow[]> {
  const unique = [...new Set(references.map((r) => r.trim()).filter(Boolean))];
  if (unique.length < 2) {
    throw CommandError.of(400, 'MERGE_TOO_FEW', {}, 'references');
  }
  if (unique.length > MAX_MERGED) {
    throw CommandError.of(400, 'MERGE_TOO_MANY', { max: String(MAX_MERGED) }, 'references');
  }
  const requests: RequestRow[] = [];
  for (const reference of unique) {
    const request = await findRequest(ctx.db, reference);
    if (!request) {
      throw CommandError.of(404, 'MERGE_UNKNOWN_REQUEST', { reference: reference.slice(0, 40) }, 'references');
    }
    authorize(agent, 'merge', request);
    if (request.status === 'CLOTUREE') {
      throw CommandError.of(409, 'MERGE_SOURCE_CLOSED', { reference });
    }
    requests.push(request);
  }
  const busy: { reference: string } | undefined = await ctx.db('merge_sources as s').join('merges as m', 'm.id', 's.merge_id').join('requests as r', 'r.id', 's.request_id')
    .whereIn('s.request_id', requests.map((r) => r.id)).where('m.status', 'PENDING').first('r.reference');
  if (busy) {
    throw CommandError.of(409, 'MERGE_IN_PROGRESS', { reference: busy.reference });
  }
  if (!(await sameCitizen(ctx, requests))) {
    throw CommandError.of(409, 'MERGE_DIFFERENT_CITIZENS');
  }
  // Oldest first, however they were ticked: the confirmation, the sources and the e-mail list them so.
  return requests.sort((a, b) => Number(a.created_at) - Number(b.created_at) || Number(a.id) - Number(b.id));
}

/**
 * Fusionner: several open requests of one citizen into a new one, by the merge workflow
 * (workflows/merge.ts). Answers once it is done, or PENDING if it takes longer than an
 * action may wait (it then ends by itself: merged whole, or refused with nothing changed).
 */
export async function merge(ctx: Ctx, agent: Agent, props: MergeProps): Promise<Merged> {
  const requests = await mergeableRequests(ctx, agent, props.references);
  const mergeId = await createMerge(ctx.db, agent.id, requests.map((r) => r.id), Date.now());
  await startOnce(ctx.client, mergeWorkflow, { workflowId: mergeWorkflowIdOf(ctx.config.referencePrefix, mergeId), taskQueue: ctx.config.taskQueue, args: [{ mergeId, agentId: agent.id }] });
  const outcome = await outcomeOf(ctx, mergeId);
  if (!outcome) {
    return { status: 'PENDING', mergeId };
  }
  if (outcome.status === 'FAILED') {
    throw CommandError.of(409, outcome.refusal, { reference: outcome.reference });
  }
  return { status: 'DONE', reference: outcome.status === 'DONE' ? outcome.reference : '', mergeId };
}

/** How the merge ended, waiting for it at most as long as an action waits; undefined if not yet. */
async function outcomeOf(ctx: Ctx, mergeId: number): Promise<MergeOutcome | undefined> {
  const handle = ctx.client.workflow.getHandle(mergeWorkflowIdOf(ctx.config.referencePrefix, mergeId));
  try {
    return await ctx.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(mergeOutcomeUpdate, { args: [] }));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw err;
    }
    const row = await findMerge(ctx.db, mergeId);
    return row?.status === 'FAILED' ? { status: 'FAILED', refusal: row.refusal ?? 'MERGE_NOT_UNDOABLE', reference: '' } : undefined;
  }
}
