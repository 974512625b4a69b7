// The webhook activities: one POST of a delivery, and giving up on it (run by
// workflows/webhook.ts); and the start of the delivery workflows a transition wrote.
// Registered by name in ./index.ts.
import { ApplicationFailure, log } from '@temporalio/activity';
import { cancelDelivery, deliveryToPost, markDeliveryFailed, recordDeliveryAttempt } from '../db/webhookDeliveries';
import { startDeliveries } from '../partners/deliveries';
import { RefusedDestination } from '../partners/destinations';
import { postWebhook, type PostOutcome } from '../partners/webhookPost';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from '../partners/signature';
import type { ActivityDeps } from './deps';
import type { WebhookActivities } from './types';

export function webhookActivities({ db, client, config }: ActivityDeps): WebhookActivities & { startQuietly(ids: number[]): Promise<void> } {
  return {
    /**
     * Starts the delivery workflows of committed deliveries. A failed start is only logged:
     * the agent's action has succeeded, and the worker's sweep starts what is left
     * (startPendingDeliveries).
     */
    async startQuietly(ids) {
      await startDeliveries(db, client, config, ids).catch((err: Error) => log.warn('webhook deliveries left to the sweep', { error: err.message }));
    },

    async deliverWebhook({ deliveryId, timeoutMs }) {
      const row = await deliveryToPost(db, deliveryId);
      if (!row || row.status !== 'PENDING') {
        return;
      }
      // A webhook removed, or a key revoked, since the event: the partner gets nothing more.
      if (row.deleted_at !== null || row.revoked_at !== null) {
        await cancelDelivery(db, deliveryId);
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
      await recordDeliveryAttempt(db, deliveryId, outcome);
      if (!outcome.ok) {
        throw ApplicationFailure.retryable(outcome.error ?? `HTTP ${outcome.status}`, 'WebhookRefused');
      }
    },

    async markWebhookFailed({ deliveryId, error }) {
      await markDeliveryFailed(db, deliveryId, error);
    },
  };
}
