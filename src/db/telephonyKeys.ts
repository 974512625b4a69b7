// Telephony connectors' keys (api_tokens of kind 'telephony'): each reports calls, nothing else.
import type { Db } from './connection';
import { createToken } from './tokens';

export interface TelephonyKeyRow {
  id: number;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

export async function insertTelephonyKey(db: Db, name: string, secret?: string): Promise<{ id: number; secret: string }> {
  const key = await createToken(db, 'telephony', name, null, secret);
  forgetTelephonyEnabled(db);
  return key;
}

/** Every telephony key (or one), newest first. */
export async function telephonyKeys(db: Db, onlyId?: number): Promise<TelephonyKeyRow[]> {
  const query = db('api_tokens').where({ kind: 'telephony' }).orderBy('id', 'desc').select('id', 'name', 'created_at', 'revoked_at');
  const rows: TelephonyKeyRow[] = await (onlyId === undefined ? query : query.where({ id: onlyId }));
  return rows.map((r) => ({ ...r, id: Number(r.id), created_at: Number(r.created_at), revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
}

/**
 * How long a web process keeps its answer to « is a connector set up »: every agent page and
 * every call panel's poll asks, and a key is created or revoked once in a while. Forgotten at
 * once in the process that creates or revokes one; another process (the command line, another
 * web server) sees the change within this delay.
 */
const TELEPHONY_ENABLED_TTL_MS = 10_000;

const enabledKept = new WeakMap<Db, { until: number; value: Promise<boolean> }>();

/** Whether some connector may report calls: only then do the agents' pages ask for them. */
export function telephonyEnabled(db: Db): Promise<boolean> {
  const kept = enabledKept.get(db);
  if (kept && kept.until > Date.now()) {
    return kept.value;
  }
  const value = db('api_tokens').where({ kind: 'telephony' }).whereNull('revoked_at').first('id').then(Boolean);
  enabledKept.set(db, { until: Date.now() + TELEPHONY_ENABLED_TTL_MS, value });
  // A failed reading is not kept.
  value.catch(() => {
    if (enabledKept.get(db)?.value === value) enabledKept.delete(db);
  });
  return value;
}

export function forgetTelephonyEnabled(db: Db): void {
  enabledKept.delete(db);
}

/** The active agents and their lines, by name. */
export async function agentLines(db: Db): Promise<{ code: string; name: string; phone_line: string | null }[]> {
  return db('agents').where({ active: true }).orderBy('name').select('code', 'name', 'phone_line');
}
