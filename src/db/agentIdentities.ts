import type { Db } from './connection';
import type { AgentRow } from './agents';

/** The agent whose account at this provider is this subject, active or not. */
export async function findAgentByIdentity(db: Db, issuer: string, subject: string): Promise<AgentRow | undefined> {
  return db('agents').where({ oidc_issuer: issuer, oidc_subject: subject }).first();
}

/** The agents with this address, whatever its case (the provider may spell it otherwise). */
export async function agentsByEmail(db: Db, email: string): Promise<AgentRow[]> {
  return db('agents').whereRaw('lower(email) = ?', [email.toLowerCase()]).orderBy('id');
}

/**
 * Ties the agent to this account of the provider, unless they are tied to another account
 * of the same provider already (checked in the update itself, so that two first logins at
 * once cannot both win). Whether it was tied.
 */
export async function linkIdentity(db: Db, agentId: number, issuer: string, subject: string): Promise<boolean> {
  const updated = await db('agents')
    .where({ id: agentId })
    .andWhere((q) => q.whereNull('oidc_subject').orWhereNot('oidc_issuer', issuer).orWhere('oidc_subject', subject))
    .update({ oidc_issuer: issuer, oidc_subject: subject });
  return updated === 1;
}
