import { sendAccountLink } from '../../accounts/links';
import { isActivated } from '../../db/activated';
import { findActiveAgentRow } from '../../db/agentAccounts';
import { authorize, type Actor } from '../../policies';
import type { Ctx } from '../context';
import { invalid } from './invalid';

/** A new activation link for an active agent who has not chosen a password yet (the older link stops working). */
export async function resendActivation(ctx: Pick<Ctx, 'db' | 'config'>, actor: Actor, agentId: number): Promise<void> {
  authorize(actor, 'administer');
  const agent = await findActiveAgentRow(ctx.db, agentId);
  if (!agent) {
    throw invalid('unknownAgent', 'id');
  }
  if (isActivated(agent)) {
    throw invalid('alreadyActivated', 'id');
  }
  await sendAccountLink(ctx.db, ctx.config, agent, 'ACTIVATION');
}
