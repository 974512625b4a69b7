import { ApplicationFailure, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { enqueueSubmittedDeliveries, startDeliveries, unstartedDeliveries } from '../partners/deliveries';
import { RefusedDestination } from '../partners/destinations';
import { postWebhook, type PostOutcome } from '../partners/webhookPost';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from '../partners/signature';
import type { ActivityDeps } from './index';
import type { Activities, WebhookActivities } from './types';

type Wrapped = Pick<Activities, 'recordTransition' | 'announceSubmission'>;

/**
 * The webhook activities, and the two request activities wrapped so that the deliveries
 * they wrote are started once committed. A failed start is only logged: the agent's
 * action has succeeded, and the worker's sweep starts what is left (startPendingDeliveries).
 */
export function createWebhookActivities(deps: ActivityDeps & { client: Client }, base: Wrapped): WebhookActivities & Wrapped {
  const { db, client, config } = deps;

  const startQuietly = async (ids: number[]) => {
    await startDeliveries(db, client, config, ids).catch((err: Error) => log.warn('webhook deliveries left to the sweep', { error: err.message }));
  };

  return {
    async recordTransition(t) {
      await base.recordTransition(t);
      // Those applyTransition wrote in its transaction (also on a retry after a crash here).
      await startQuietly(await unstartedDeliveries(db, t.requestId, t.seq));
    },

    async announceSubmission(a) {
      await startQuietly(await enqueueSubmittedDeliveries(db, a.requestId));
      return base.announceSubmission(a);
    },

    async deliverWebhook({ deliveryId, timeoutMs }) {
      const row = await db('webhook_deliveries as d')
        .join('webhooks as w', 'w.id', 'd.webhook_id')
        .join('api_tokens as k', 'k.id', 'w.token_id')
        .where('d.id', deliveryId)
        .first('d.status', 'd.event', 'd.payload', 'w.url', 'w.secret', 'w.deleted_at', 'k.revoked_at');
      if (!row || row.status !== 'PENDING') {
        return;
      }
      // A webhook removed, or a key revoked, since the event: the partner gets nothing more.
      if (row.deleted_at !== null || row.revoked_at !== null) {
        await db('webhook_deliveries').where({ id: deliveryId }).update({ status: 'CANCELLED', updated_at: Date.now() });
        return;
      }
      const body = JSON.stringify({ id: deliveryId, ...JSON.parse(row.payload) });
      let outcome: PostOutcome;
      try {
        // The name is resolved and vetted as the connection is made, to the address vetted.
        outcome = await postWebhook(row.url, body, {
          timeoutMs,
          allowPrivate: config.webhookAllowPrivate,
          headers: {
            [SIGNATURE_HEADER]: signatureHeader(row.secret, body),
            [DELIVERY_HEADER]: String(deliveryId),
            [EVENT_HEADER]: row.event,
          },
        });
      } catch (err) {
        if (!(err instanceof RefusedDestination)) throw err;
        // Retrying would not change where the name points now: given up at once.
        throw ApplicationFailure.nonRetryable(err.message, 'WebhookDestinationRefused');
      }
      const now = Date.now();
      await db('webhook_deliveries').where({ id: deliveryId }).update({
        attempts: db.raw('attempts + 1'),
        last_status: outcome.status,
        last_error: outcome.error?.slice(0, 500) ?? null,
        updated_at: now,
        ...(outcome.ok ? { status: 'DELIVERED', delivered_at: now } : {}),
      });
      if (!outcome.ok) {
        throw ApplicationFailure.retryable(outcome.error ?? `HTTP ${outcome.status}`, 'WebhookRefused');
      }
    },

    async markWebhookFailed({ deliveryId, error }) {
      await db('webhook_deliveries').where({ id: deliveryId, status: 'PENDING' }).update({ status: 'FAILED', last_error: error.slice(0, 500), updated_at: Date.now() });
    },
  };
}
