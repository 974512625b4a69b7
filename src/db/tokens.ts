import crypto from 'node:crypto';
import type { Db } from './connection';

export type TokenKind = 'agent' | 'partner' | 'telephony';

const PREFIXES: Record<TokenKind, string> = { agent: 'gat', partner: 'gpk', telephony: 'gtk' };

export const hashToken = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');

/** Creates a token; returns its id and its secret, which is shown once and never stored. */
export async function createToken(
  db: Db,
  kind: TokenKind,
  name: string,
  agentId: number | null,
  secret = `${PREFIXES[kind]}_${crypto.randomBytes(24).toString('base64url')}`,
): Promise<{ id: number; secret: string }> {
  const [id] = await db('api_tokens').insert({
    kind,
    name,
    agent_id: agentId,
    token_hash: hashToken(secret),
    created_at: Date.now(),
  });
  return { id: Number(id), secret };
}

export async function findToken(db: Db, secret: string): Promise<{ id: number; kind: TokenKind; agent_id: number | null; name: string } | undefined> {
  return db('api_tokens').where({ token_hash: hashToken(secret) }).whereNull('revoked_at').first();
}
