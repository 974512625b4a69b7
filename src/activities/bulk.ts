// The activities of a bulk action: each item is one command (take, close, reassign) run
// as the agent who started the job, through the request's own workflow Update.
import { Context } from '@temporalio/activity';
import { close } from '../commands/close';
import type { Ctx } from '../commands/context';
import { CommandError } from '../commands/errors';
import { reassign } from '../commands/reassign';
import { take } from '../commands/take';
import type { Config } from '../config';
import { loadAgent, type Agent } from '../db/agents';
import { findBulkJob, finishBulkJob, itemOutcome, pendingItems, recordOutcome, type BulkJobRow } from '../db/bulkJobs';
import type { Db } from '../db/connection';
import { findRequestById, type RequestRow } from '../db/requests';
import { t } from '../i18n';
import { can } from '../policies';

export interface BulkActivities {
  /** The next `limit` requests of the job still to do, in the order of the list. */
  bulkPendingItems(a: { jobId: number; limit: number }): Promise<number[]>;
  applyBulkItem(a: { jobId: number; requestId: number }): Promise<void>;
  finishBulk(a: { jobId: number }): Promise<void>;
}

async function run(ctx: Ctx, job: BulkJobRow, agent: Agent, request: RequestRow): Promise<void> {
  const notifyCitizen = Boolean(job.notify_citizen) && Boolean(request.citizen_has_email);
  if (job.action === 'take') {
    await take(ctx, agent, request.reference, { notifyCitizen });
  } else if (job.action === 'close') {
    await close(ctx, agent, request.reference, { notifyCitizen, closingCode: job.closing_code ?? '' });
  } else {
    const target = await ctx.db('agents').where({ id: job.target_agent_id }).first('code');
    await reassign(ctx, agent, request.reference, { agent: target?.code ?? '' });
  }
}

/**
 * A retried item may find its own earlier success already applied (the worker died after
 * the Update, before recording it): the request then already is what the job wanted.
 */
async function alreadyDone(db: Db, job: BulkJobRow, requestId: number): Promise<boolean> {
  const r = await findRequestById(db, requestId);
  if (!r) return false;
  if (job.action === 'take') return r.status !== 'NON_TRAITEE' && r.assignee_id === job.agent_id && Number(r.taken_at) >= Number(job.created_at);
  if (job.action === 'close') return r.status === 'CLOTUREE' && r.closing_code === job.closing_code && Number(r.closed_at) >= Number(job.created_at);
  return r.assignee_id === job.target_agent_id && Number(r.updated_at) >= Number(job.created_at);
}

export function createBulkActivities({ db, config }: { db: Db; config: Config }): BulkActivities {
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
