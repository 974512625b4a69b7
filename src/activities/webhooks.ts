import { ApplicationFailure, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { enqueueSubmittedDeliveries, startDeliveries, unstartedDeliveries } from '../partners/deliveries';
import { refusedDestination } from '../partners/destinations';
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
      await base.announceSubmission(a);
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
      const refused = await refusedDestination(row.url, config.webhookAllowPrivate);
      if (refused) {
        // Retrying would not change where the name points now: given up at once.
        throw ApplicationFailure.nonRetryable(refused, 'WebhookDestinationRefused');
      }
      const body = JSON.stringify({ id: deliveryId, ...JSON.parse(row.payload) });
      const outcome = await post(row.url, body, timeoutMs, {
        [SIGNATURE_HEADER]: signatureHeader(row.secret, body),
        [DELIVERY_HEADER]: String(deliveryId),
        [EVENT_HEADER]: row.event,
      });
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

/** One POST; a network error or a timeout is an outcome too, recorded like a refusal. */
async function post(url: string, body: string, timeoutMs: number, headers: Record<string, string>): Promise<{ ok: boolean; status: number | null; error?: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Guichet-Webhooks/1', ...headers },
      body,
      // A redirect is not followed: the partner registers the URL that answers.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return { ok: false, status: null, error: e.cause?.message ?? e.message };
  }
}
