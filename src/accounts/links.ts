import type { Config } from '../config';
import type { AgentRow } from '../db/agents';
import type { Db } from '../db/connection';
import { createAccountToken, type TokenPurpose } from '../db/accountTokens';
import { mailAgentDirectly } from './mailer';

const HOUR = 3600_000;

/** How long a link works: an activation waits for a new colleague's first day, a reset does not. */
export const LINK_LIFETIME: Record<TokenPurpose, { ms: number; label: string }> = {
  ACTIVATION: { ms: 72 * HOUR, label: '72 heures' },
  PASSWORD_RESET: { ms: 1 * HOUR, label: '1 heure' },
};

const PATH: Record<TokenPurpose, string> = { ACTIVATION: '/activation/', PASSWORD_RESET: '/reinitialisation/' };

/** Creates a single-use link for the agent and e-mails it (kinds ACTIVATION and PASSWORD_RESET). */
export async function sendAccountLink(db: Db, config: Config, agent: AgentRow, purpose: TokenPurpose): Promise<void> {
  const { ms, label } = LINK_LIFETIME[purpose];
  const secret = await createAccountToken(db, agent.id, purpose, ms);
  await mailAgentDirectly(db, config, agent, purpose, {
    agentCode: agent.code,
    link: `${config.publicUrl}${PATH[purpose]}${secret}`,
    validity: label,
  });
}
