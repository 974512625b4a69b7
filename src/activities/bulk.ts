// The activities of a bulk action: each item is one command (take, close, reassign) run
// as the agent who started the job, through the request's own workflow Update.
import { Context } from '@temporalio/activity';
import { close } from '../commands/close';
import type { Ctx } from '../commands/context';
import { CommandError } from '../commands/errors';
import { reassign } from '../commands/reassign';
import { take } from '../commands/take';
import { findAgentRow, loadAgent, type Agent } from '../db/agents';
import { findBulkJob, finishBulkJob, itemOutcome, pendingItems, recordOutcome, type BulkJobRow } from '../db/bulkJobs';
import type { Db } from '../db/connection';
import { findRequestById, type RequestRow } from '../db/requests';
import { t } from '../i18n';
import { can } from '../policies';
import { showsOutcome } from '../../workflows/lifecycle';
import type { ActivityDeps } from './deps';
import type { BulkActivities } from './types';
import { countAction } from '../ops/metrics';

async function run(ctx: Ctx, job: BulkJobRow, agent: Agent, request: RequestRow): Promise<void> {
  await countAction(job.action, 'bulk', () => runItem(ctx, job, agent, request));
}

async function runItem(ctx: Ctx, job: BulkJobRow, agent: Agent, request: RequestRow): Promise<void> {
  const notifyCitizen = Boolean(job.notify_citizen) && Boolean(request.citizen_has_email);
  if (job.action === 'take') {
    await take(ctx, agent, request.reference, { notifyCitizen });
  } else if (job.action === 'close') {
    await close(ctx, agent, request.reference, { notifyCitizen, closingCode: job.closing_code ?? '' });
  } else {
    const target = await findAgentRow(ctx.db, job.target_agent_id!);
    // The bulk bar asked its own confirmation before the job started.
    await reassign(ctx, agent, request.reference, { agent: target?.code ?? '', confirm: true });
  }
}

/** When the request last took each action: an earlier success of this job is no older than the job. */
const SINCE = { take: 'taken_at', close: 'closed_at', reassign: 'updated_at' } as const;

/**
 * A retried item may find its own earlier success already applied (the worker died after
 * the Update, before recording it): the request then shows what the action leaves behind.
 */
async function alreadyDone(db: Db, job: BulkJobRow, requestId: number): Promise<boolean> {
  const r = await findRequestById(db, requestId);
  if (!r || Number(r[SINCE[job.action]]) < Number(job.created_at)) return false;
  const state = { status: r.status, assigneeId: r.assignee_id === null ? null : Number(r.assignee_id), closingCode: r.closing_code };
  if (job.action === 'take') return showsOutcome('take', { agentId: Number(job.agent_id) }, state);
  if (job.action === 'close') return showsOutcome('close', { closingCode: job.closing_code ?? '' }, state);
  return showsOutcome('reassign', { toAgentId: Number(job.target_agent_id) }, state);
}

export function bulkActivities({ db, config }: Pick<ActivityDeps, 'db' | 'config'>): BulkActivities {
  return {
    bulkPendingItems: ({ jobId, limit }) => pendingItems(db, jobId, limit),

    async applyBulkItem({ jobId, requestId }) {
      if ((await itemOutcome(db, jobId, requestId)) !== 'PENDING') {
        return;
      }
      const job = (await findBulkJob(db, jobId))!;
      const [agent, request] = await Promise.all([loadAgent(db, job.agent_id), findRequestById(db, requestId)]);
      if (!agent) {
        await recordOutcome(db, jobId, requestId, 'REFUSED', CommandError.of(404, 'NOT_FOUND').message);
        return;
      }
      // Another service's id is, to this agent, no request at all: the report says no more.
      if (!request || !can(agent, 'read', request)) {
        await recordOutcome(db, jobId, requestId, 'REFUSED', t('errors.UNKNOWN_REQUEST'));
        return;
      }
      const ctx: Ctx = { db, client: Context.current().client, config };
      try {
        await run(ctx, job, agent, request);
        await recordOutcome(db, jobId, requestId, 'OK', null);
      } catch (err) {
        if (!(err instanceof CommandError) || err.status === 503) {
          throw err; // unavailable database or Temporal, or an unconfirmed Update: retried
        }
        const done = Context.current().info.attempt > 1 && (await alreadyDone(db, job, requestId));
        await recordOutcome(db, jobId, requestId, done ? 'OK' : 'REFUSED', done ? null : err.message);
      }
    },

    finishBulk: ({ jobId }) => finishBulkJob(db, jobId),
  };
}
