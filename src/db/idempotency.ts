import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './connection';

/** How long a key answers with its first request; after that it may be used again. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/** Who used a key, the key, and what it was used for (a hash of the body, in a stable form). */
export interface IdempotencyClaim {
  owner: string;
  key: string;
  hash: string;
}

/** A stable hash of a JSON-like body: the same fields in another order give the same hash. */
export function bodyHash(body: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return crypto.createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex');
}

export interface EarlierFiling {
  bodyHash: string;
  requestId: number;
  reference: string;
  trackingCode: string;
  workflowStarted: boolean;
}

/** The request filed earlier under this key (within its day), if any; older keys are dropped here. */
export async function earlierFiling(db: Db, owner: string, key: string, now = Date.now()): Promise<EarlierFiling | undefined> {
  await db('idempotency_keys').where('created_at', '<', now - IDEMPOTENCY_TTL_MS).delete();
  const row = await db('idempotency_keys as k')
    .join('requests as r', 'r.id', 'k.request_id')
    .where({ 'k.owner': owner, 'k.idem_key': key })
    .first('k.body_hash', 'r.id', 'r.reference', 'r.tracking_code', 'r.workflow_started');
  return row && {
    bodyHash: row.body_hash, requestId: row.id, reference: row.reference, trackingCode: row.tracking_code, workflowStarted: Boolean(row.workflow_started),
  };
}

/** Records the key with the request it files, in the filing's transaction. */
export async function recordKey(trx: Knex.Transaction, claim: IdempotencyClaim, requestId: number, now: number): Promise<void> {
  await trx('idempotency_keys').insert({ owner: claim.owner, idem_key: claim.key, body_hash: claim.hash, request_id: requestId, created_at: now });
}

export function isUniqueViolation(err: unknown): boolean {
  const code = String((err as { code?: unknown }).code);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
