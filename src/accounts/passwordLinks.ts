import type { Config } from '../config';
import type { AgentRow } from '../db/agents';
import type { Db } from '../db/connection';
import { consumeAccountToken, type TokenPurpose } from '../db/accountTokens';
import { activeAgentsNamed, setPasswordHash } from '../db/agentAccounts';
import { endSessionsOf } from '../db/sessions';
import { hashPassword } from '../passwords';
import { sendAccountLink } from './links';
import { passwordProblem } from './passwordRules';

/**
 * "Mot de passe oublié ?": an agent named by code or e-mail address gets a reset link,
 * if active. The caller says the same thing whatever happened, so that nobody learns
 * whether an account exists; an address shared by several agents reaches each of them.
 */
export async function requestPasswordReset(
  db: Db, config: Config, codeOrEmail: string,
  /** false: this agent had enough reset e-mails for now (nothing sent, their last link kept) */
  mayMail: (agent: AgentRow) => Promise<boolean> = async () => true,
): Promise<number> {
  const value = codeOrEmail.trim();
  if (!value) {
    return 0;
  }
  const agents = await activeAgentsNamed(db, value);
  let sent = 0;
  for (const agent of agents) {
    if (await mayMail(agent)) {
      await sendAccountLink(db, config, agent, 'PASSWORD_RESET');
      sent += 1;
    }
  }
  return sent;
}

export type SetPasswordOutcome = { ok: true; agentId: number } | { ok: false; problem: string | null };

/**
 * Sets the password of the agent an activation or reset link names, using the link.
 * `problem` is a French message for a bad password; null means the link no longer works.
 */
export async function setPasswordByLink(db: Db, purpose: TokenPurpose, secret: string, password: string, confirmation: string): Promise<SetPasswordOutcome> {
  const problem = passwordProblem(password, confirmation);
  if (problem) {
    return { ok: false, problem };
  }
  const hash = await hashPassword(password);
  const agentId = await consumeAccountToken(db, secret, purpose);
  if (agentId === null) {
    return { ok: false, problem: null };
  }
  await setPasswordHash(db, agentId, hash);
  if (purpose === 'PASSWORD_RESET') {
    // A reset ends the sessions opened with the old password (sessions hold the agent id in JSON).
    await endSessionsOf(db, agentId);
  }
  return { ok: true, agentId };
}
