import crypto from 'node:crypto';
import type { Db } from './connection';
import { hashToken } from './tokens';

export type TokenPurpose = 'ACTIVATION' | 'PASSWORD_RESET';

/**
 * A single-use link secret for one agent; only its hash is stored. A new link of the
 * same purpose replaces the older ones, so only the latest e-mail works.
 */
export async function createAccountToken(db: Db, agentId: number, purpose: TokenPurpose, ttlMs: number): Promise<string> {
  const secret = crypto.randomBytes(32).toString('base64url');
  const now = Date.now();
  await db.transaction(async (trx) => {
    await trx('account_tokens').where({ agent_id: agentId, purpose }).whereNull('used_at').update({ used_at: now });
    await trx('account_tokens').insert({
      agent_id: agentId, purpose, token_hash: hashToken(secret), created_at: now, expires_at: now + ttlMs,
    });
  });
  return secret;
}

/** The agent a link still opens, without using it (the page that asks for the password). */
export async function agentOfToken(db: Db, secret: string, purpose: TokenPurpose): Promise<number | null> {
  const row = await db('account_tokens')
    .where({ token_hash: hashToken(secret), purpose })
    .whereNull('used_at')
    .where('expires_at', '>', Date.now())
    .first('agent_id');
  return row ? Number(row.agent_id) : null;
}

/** Uses a link once: of two submissions racing, only one gets the agent. */
export async function consumeAccountToken(db: Db, secret: string, purpose: TokenPurpose): Promise<number | null> {
  const agentId = await agentOfToken(db, secret, purpose);
  if (agentId === null) {
    return null;
  }
  const updated = await db('account_tokens')
    .where({ token_hash: hashToken(secret), purpose })
    .whereNull('used_at')
    .update({ used_at: Date.now() });
  return updated === 1 ? agentId : null;
}
