// Webhook deliveries: one row per (webhook, request, event), written in the transaction
// of the transition itself, so that a committed status change always has its deliveries.
// Each row is then delivered by its own workflow (workflows/webhook.ts), started after
// the commit, or by the sweep if the process died in between.
import type { Client } from '@temporalio/client';
import { startOnce } from '../temporal/client';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { inTransaction } from '../db/transaction';
import type { TransitionRecord } from '../db/transitions';
import {
  insertDeliveries, lostDeliveries, markDeliveryStarted, requestFacts, subscribedWebhooks, unstartedDeliveries,
} from '../db/webhookDeliveries';
import { isLifecycleEvent } from '../../workflows/lifecycle';
import { webhookWorkflow } from '../../workflows/webhook';

/** The body of a delivery, without its id. Codes, statuses and dates only: never personal data. */
export interface DeliveryPayload {
  event: string;
  reference: string;
  formType: string;
  status: string;
  previousStatus?: string;
  closingCode?: string;
  seq: number;
  at: string;
}

/** Workflow ids are per deployment (its task queue), as delivery ids are per database. */
export const webhookWorkflowId = (taskQueue: string, deliveryId: number): string => `webhook-${taskQueue}-${deliveryId}`;

const insertEvent = (db: Db, hooks: { id: number }[], requestId: number, payload: DeliveryPayload) =>
  insertDeliveries(db, hooks, { requestId, seq: payload.seq, type: payload.event, payload: JSON.stringify(payload) }, Date.now());

/**
 * The deliveries of a transition, written in its transaction (given by recordTransition,
 * to applyTransition), after the event and before the projection: they read the status
 * the transition leaves. Partners hear of the lifecycle's events; annotations are internal.
 */
export async function enqueueTransitionDeliveries(trx: Db, t: TransitionRecord): Promise<void> {
  if (!isLifecycleEvent(t.eventType)) {
    return;
  }
  const hooks = await subscribedWebhooks(trx, t.requestId);
  const facts = hooks.length > 0 ? await requestFacts(trx, t.requestId) : undefined;
  if (!facts) {
    return;
  }
  const status = t.projection.status ?? facts.status;
  // The row still shows the status before this transition unless a later one overtook it.
  const previousStatus = t.projection.status !== undefined && Number(facts.version) < t.seq ? facts.status : undefined;
  const closingCode = t.projection.closingCode ?? (status === 'CLOTUREE' ? facts.closing_code : null);
  await insertEvent(trx, hooks, t.requestId, {
    event: t.eventType,
    reference: facts.reference,
    formType: facts.slug,
    status,
    ...(previousStatus && previousStatus !== status ? { previousStatus } : {}),
    ...(closingCode ? { closingCode } : {}),
    seq: t.seq,
    at: new Date(t.at).toISOString(),
  });
}

/**
 * The submission: its event (seq 1) is written with the request, outside any activity,
 * so the workflow's first activity enqueues it (idempotent, retried until it succeeds).
 * Returns the deliveries not yet started.
 */
export async function enqueueSubmittedDeliveries(db: Db, requestId: number): Promise<number[]> {
  // Most requests have no partner listening: read first, with no transaction (on SQLite one takes the write lock).
  if ((await subscribedWebhooks(db, requestId)).length === 0) {
    return [];
  }
  return inTransaction(db, async (trx) => {
    const hooks = await subscribedWebhooks(trx, requestId);
    const facts = hooks.length > 0 ? await requestFacts(trx, requestId) : undefined;
    if (!facts) {
      return [];
    }
    await insertEvent(trx, hooks, requestId, {
      event: 'SUBMITTED', reference: facts.reference, formType: facts.slug, status: 'NON_TRAITEE', seq: 1, at: new Date(Number(facts.created_at)).toISOString(),
    });
    return unstartedDeliveries(trx, requestId, 1);
  });
}

/** Starts the delivery workflows (once each: a duplicate start is ignored) and marks them started. */
export async function startDeliveries(db: Db, client: Client, config: Config, ids: number[]): Promise<void> {
  for (const id of ids) {
    await startOnce(client, webhookWorkflow, {
      workflowId: webhookWorkflowId(config.taskQueue, id),
      taskQueue: config.taskQueue,
      args: [{
        deliveryId: id,
        retry: { initialMs: config.webhookRetryInitialMs, maximumMs: config.webhookRetryMaxMs, giveUpMs: config.webhookGiveUpMs, timeoutMs: config.webhookTimeoutMs },
      }],
    });
    await markDeliveryStarted(db, id);
  }
}

/**
 * Starts the workflows of deliveries whose process died between the commit and the start
 * (older than `graceMs`, so that starts in progress are left alone).
 */
export async function startPendingDeliveries(db: Db, client: Client, config: Config, graceMs = 60_000): Promise<number> {
  const ids = await lostDeliveries(db, Date.now() - graceMs);
  await startDeliveries(db, client, config, ids);
  return ids.length;
}
