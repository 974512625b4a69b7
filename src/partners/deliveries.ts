// Webhook deliveries: one row per (webhook, request, event), written in the transaction
// of the transition itself, so that a committed status change always has its deliveries.
// Each row is then delivered by its own workflow (workflows/webhook.ts), started after
// the commit, or by the sweep if the process died in between.
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { startOnce } from '../temporal/client';
import type { TransitionRecord } from '../activities/types';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { webhookWorkflow } from '../../workflows/webhook';

/** The transitions a partner hears of: the status changes (and a reassignment); annotations are internal. */
const DELIVERED_EVENTS = new Set(['TAKEN', 'HELD', 'RESUMED', 'HOLD_ENDED', 'REASSIGNED', 'CLOSED', 'EXPIRED']);

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

interface RequestFacts {
  reference: string;
  status: string;
  closing_code: string | null;
  version: number;
  created_at: number;
  slug: string;
}

const factsOf = (db: Knex, requestId: number): Promise<RequestFacts | undefined> =>
  db('requests as r').join('form_types as f', 'f.id', 'r.form_type_id').where('r.id', requestId)
    .first('r.reference', 'r.status', 'r.closing_code', 'r.version', 'r.created_at', 'f.slug');

/** Live webhooks of live keys scoped to the request's form type (one query: most transitions have none). */
function subscribedWebhooks(db: Knex, requestId: number): Promise<{ id: number }[]> {
  return db('webhooks as w')
    .join('api_tokens as k', 'k.id', 'w.token_id')
    .join('partner_scopes as s', 's.token_id', 'k.id')
    .join('requests as r', 'r.form_type_id', 's.form_type_id')
    .where('r.id', requestId)
    .whereNull('w.deleted_at')
    .whereNull('k.revoked_at')
    .select('w.id');
}

/** Inserts the deliveries of one event; a second call (a retried activity) writes nothing. */
async function insertDeliveries(db: Knex, hooks: { id: number }[], requestId: number, payload: DeliveryPayload, now: number): Promise<void> {
  const body = JSON.stringify(payload);
  await db('webhook_deliveries')
    .insert(hooks.map((w) => ({
      webhook_id: w.id, request_id: requestId, seq: payload.seq, event: payload.event, payload: body, created_at: now, updated_at: now,
    })))
    .onConflict(['webhook_id', 'request_id', 'seq'])
    .ignore();
}

/** The deliveries of one event whose workflow is not started yet. */
export async function unstartedDeliveries(db: Knex, requestId: number, seq: number): Promise<number[]> {
  const rows: { id: number }[] = await db('webhook_deliveries').where({ request_id: requestId, seq, workflow_started: false }).select('id');
  return rows.map((r) => Number(r.id));
}

/** Called by applyTransition inside its transaction, after the event and before the projection. */
export async function enqueueTransitionDeliveries(trx: Knex.Transaction, t: TransitionRecord): Promise<void> {
  if (!DELIVERED_EVENTS.has(t.eventType)) {
    return;
  }
  const hooks = await subscribedWebhooks(trx, t.requestId);
  const facts = hooks.length > 0 ? await factsOf(trx, t.requestId) : undefined;
  if (!facts) {
    return;
  }
  const status = t.projection.status ?? facts.status;
  // The row still shows the status before this transition unless a later one overtook it.
  const previousStatus = t.projection.status !== undefined && Number(facts.version) < t.seq ? facts.status : undefined;
  const closingCode = t.projection.closingCode ?? (status === 'CLOTUREE' ? facts.closing_code : null);
  await insertDeliveries(trx, hooks, t.requestId, {
    event: t.eventType,
    reference: facts.reference,
    formType: facts.slug,
    status,
    ...(previousStatus && previousStatus !== status ? { previousStatus } : {}),
    ...(closingCode ? { closingCode } : {}),
    seq: t.seq,
    at: new Date(t.at).toISOString(),
  }, Date.now());
}

/**
 * The submission: its event (seq 1) is written with the request, outside any activity,
 * so the workflow's first activity enqueues it (idempotent, retried until it succeeds).
 * Returns the deliveries not yet started.
 */
export async function enqueueSubmittedDeliveries(db: Db, requestId: number): Promise<number[]> {
  return db.transaction(async (trx) => {
    const hooks = await subscribedWebhooks(trx, requestId);
    const facts = hooks.length > 0 ? await factsOf(trx, requestId) : undefined;
    if (!facts) {
      return [];
    }
    await insertDeliveries(trx, hooks, requestId, {
      event: 'SUBMITTED', reference: facts.reference, formType: facts.slug, status: 'NON_TRAITEE', seq: 1, at: new Date(Number(facts.created_at)).toISOString(),
    }, Date.now());
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
    await db('webhook_deliveries').where({ id }).update({ workflow_started: true });
  }
}

/**
 * Starts the workflows of deliveries whose process died between the commit and the start
 * (older than `graceMs`, so that starts in progress are left alone).
 */
export async function startPendingDeliveries(db: Db, client: Client, config: Config, graceMs = 60_000): Promise<number> {
  const rows: { id: number }[] = await db('webhook_deliveries')
    .where({ workflow_started: false, status: 'PENDING' })
    .where('created_at', '<', Date.now() - graceMs)
    .orderBy('id')
    .limit(1000)
    .select('id');
  await startDeliveries(db, client, config, rows.map((r) => Number(r.id)));
  return rows.length;
}
