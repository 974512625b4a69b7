// A new request's arrival work, done by the web process as soon as its workflow has
// started: the partners' webhook deliveries of the submission, the citizen's receipt, and
// the request's place in the next batch of the agents' information e-mails. At intake
// peaks the Temporal server runs the workflows' first tasks far slower than it accepts
// starts (README, « Temporal actions of a request, and arrival work under load »), so none
// of this waits for them. The workflow's own arrival step (announceSubmission) stays the
// guarantee: each part is idempotent, and it does what the web could not (process gone,
// SMTP or Temporal refusing), or all of it when agents are e-mailed at once rather than in
// batches.
import { awaitAnnouncement } from '../db/announcements';
import { sendReceiptAtOnce } from '../mail/receipt';
import { logger } from '../ops/logger';
import { enqueueSubmittedDeliveries, startDeliveries } from '../partners/deliveries';
import type { Ctx } from './context';

/** Never fails the filing: what it could not do is left to the workflow. */
export async function arriveAtOnce(ctx: Ctx, requestId: number): Promise<void> {
  // The receipt first: the citizen waits for it, and the workflow's step, should it come
  // first, sends it in the web's place.
  if (ctx.transport && (await sendReceiptAtOnce(ctx.db, ctx.transport, ctx.config, requestId)) && ctx.config.newRequestBatchSeconds > 0) {
    // After the receipt, as the workflow's step does: agents hear of a request its citizen has heard of.
    await awaitAnnouncement(ctx.db, requestId).catch((err: Error) => logger.warn({ err, requestId }, 'announcement: left to the workflow'));
  }
  await startSubmittedDeliveries(ctx, requestId);
}

async function startSubmittedDeliveries(ctx: Ctx, requestId: number): Promise<void> {
  try {
    await startDeliveries(ctx.db, ctx.client, ctx.config, await enqueueSubmittedDeliveries(ctx.db, requestId));
  } catch (err) {
    logger.warn({ err, requestId }, 'webhook deliveries: left to the workflow');
  }
}
