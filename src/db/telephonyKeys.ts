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
  return createToken(db, 'telephony', name, null, secret);
}

/** Every telephony key (or one), newest first. */
export async function telephonyKeys(db: Db, onlyId?: number): Promise<TelephonyKeyRow[]> {
  const query = db('api_tokens').where({ kind: 'telephony' }).orderBy('id', 'desc').select('id', 'name', 'created_at', 'revoked_at');
  const rows: TelephonyKeyRow[] = await (onlyId === undefined ? query : query.where({ id: onlyId }));
  return rows.map((r) => ({ ...r, id: Number(r.id), created_at: Number(r.created_at), revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
}

/** Whether some connector may report calls: only then do the agents' pages ask for them. */
export async function telephonyEnabled(db: Db): Promise<boolean> {
  return Boolean(await db('api_tokens').where({ kind: 'telephony' }).whereNull('revoked_at').first('id'));
}

/** The active agents and their lines, by name. */
export async function agentLines(db: Db): Promise<{ code: string; name: string; phone_line: string | null }[]> {
  return db('agents').where({ active: true }).orderBy('name').select('code', 'name', 'phone_line');
}
