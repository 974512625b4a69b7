// The rows of webhook deliveries (one per webhook, request and event) and what their
// writing and sending need to read. The payload is built by src/partners/deliveries.ts.
import type { Db } from './connection';

/** What a delivery's payload says of its request. */
export interface RequestFacts {
  reference: string;
  status: string;
  closing_code: string | null;
  version: number;
  created_at: number;
  slug: string;
}

export const requestFacts = (db: Db, requestId: number): Promise<RequestFacts | undefined> =>
  db('requests as r').join('form_types as f', 'f.id', 'r.form_type_id').where('r.id', requestId)
    .first('r.reference', 'r.status', 'r.closing_code', 'r.version', 'r.created_at', 'f.slug');

/** Live webhooks of live keys scoped to the request's form type (one query: most transitions have none). */
export function subscribedWebhooks(db: Db, requestId: number): Promise<{ id: number }[]> {
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
export async function insertDeliveries(
  db: Db,
  hooks: { id: number }[],
  event: { requestId: number; seq: number; type: string; payload: string },
  now: number,
): Promise<void> {
  await db('webhook_deliveries')
    .insert(hooks.map((w) => ({
      webhook_id: w.id, request_id: event.requestId, seq: event.seq, event: event.type, payload: event.payload, created_at: now, updated_at: now,
    })))
    .onConflict(['webhook_id', 'request_id', 'seq'])
    .ignore();
}

/** The deliveries of one event whose workflow is not started yet. */
export async function unstartedDeliveries(db: Db, requestId: number, seq: number): Promise<number[]> {
  const rows: { id: number }[] = await db('webhook_deliveries').where({ request_id: requestId, seq, workflow_started: false }).select('id');
  return rows.map((r) => Number(r.id));
}

/** Pending deliveries whose workflow was never started, written before `before` (at most 1000). */
export async function lostDeliveries(db: Db, before: number): Promise<number[]> {
  const rows: { id: number }[] = await db('webhook_deliveries')
    .where({ workflow_started: false, status: 'PENDING' })
    .where('created_at', '<', before)
    .orderBy('id')
    .limit(1000)
    .select('id');
  return rows.map((r) => Number(r.id));
}

export async function markDeliveryStarted(db: Db, id: number): Promise<void> {
  await db('webhook_deliveries').where({ id }).update({ workflow_started: true });
}

/** A delivery with where it goes and how it is signed. */
export interface DeliveryToPost {
  status: string;
  event: string;
  payload: string;
  url: string;
  secret: string;
  deleted_at: number | null;
  revoked_at: number | null;
}

export async function deliveryToPost(db: Db, id: number): Promise<DeliveryToPost | undefined> {
  return db('webhook_deliveries as d')
    .join('webhooks as w', 'w.id', 'd.webhook_id')
    .join('api_tokens as k', 'k.id', 'w.token_id')
    .where('d.id', id)
    .first('d.status', 'd.event', 'd.payload', 'w.url', 'w.secret', 'w.deleted_at', 'k.revoked_at');
}

export async function cancelDelivery(db: Db, id: number): Promise<void> {
  await db('webhook_deliveries').where({ id }).update({ status: 'CANCELLED', updated_at: Date.now() });
}

/** One POST made: its answer, and DELIVERED when the partner accepted it. */
export async function recordDeliveryAttempt(db: Db, id: number, outcome: { ok: boolean; status: number | null; error?: string }): Promise<void> {
  const now = Date.now();
  await db('webhook_deliveries').where({ id }).update({
    attempts: db.raw('attempts + 1'),
    last_status: outcome.status,
    last_error: outcome.error?.slice(0, 500) ?? null,
    updated_at: now,
    ...(outcome.ok ? { status: 'DELIVERED', delivered_at: now } : {}),
  });
}

/** Given up: only a delivery still pending (a cancelled one stays so). */
export async function markDeliveryFailed(db: Db, id: number, error: string): Promise<void> {
  await db('webhook_deliveries').where({ id, status: 'PENDING' }).update({ status: 'FAILED', last_error: error.slice(0, 500), updated_at: Date.now() });
}
