import type { Db } from '../db/connection';
import { agentsByEmail, findAgentByIdentity, linkIdentity } from '../db/agentIdentities';

/** What the provider says of the person who logged in there. */
export interface SsoIdentity {
  subject: string;
  email: string | null;
  /** the provider vouches that the address is theirs */
  emailVerified: boolean;
}

/** Why a provider's account opens no Guichet session (each has its French page in sso.refused). */
export type SsoRefusal = 'UNKNOWN' | 'NO_VERIFIED_EMAIL' | 'AMBIGUOUS' | 'OTHER_ACCOUNT' | 'DEACTIVATED';

export type SsoMatch = { ok: true; agentId: number } | { ok: false; reason: SsoRefusal };

/**
 * The Guichet agent of a provider's account: the one tied to its subject, or else the one
 * active agent with its verified address, then tied to the subject for the next times.
 * Accounts, roles and services stay Guichet's: nobody unknown is created.
 */
export async function matchAgent(db: Db, issuer: string, identity: SsoIdentity): Promise<SsoMatch> {
  const tied = await findAgentByIdentity(db, issuer, identity.subject);
  if (tied) {
    return tied.active ? { ok: true, agentId: tied.id } : { ok: false, reason: 'DEACTIVATED' };
  }
  // An unverified address could be anyone's: typing a colleague's would open their account.
  if (!identity.email || !identity.emailVerified) {
    return { ok: false, reason: 'NO_VERIFIED_EMAIL' };
  }
  const rows = await agentsByEmail(db, identity.email);
  const active = rows.filter((row) => row.active);
  if (active.length === 0) {
    return { ok: false, reason: rows.length ? 'DEACTIVATED' : 'UNKNOWN' };
  }
  if (active.length > 1) {
    return { ok: false, reason: 'AMBIGUOUS' };
  }
  // Tied to another account of this provider: the address was given to someone else there.
  if (!(await linkIdentity(db, active[0].id, issuer, identity.subject))) {
    return { ok: false, reason: 'OTHER_ACCOUNT' };
  }
  return { ok: true, agentId: active[0].id };
}
