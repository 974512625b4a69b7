import { sendAccountLink } from '../../accounts/links';
import type { AgentRow } from '../../db/agents';
import type { Ctx } from '../context';
import { invalid } from './invalid';

/** A new activation link for an active agent who has not chosen a password yet (the older link stops working). */
export async function resendActivation(ctx: Pick<Ctx, 'db' | 'config'>, agentId: number): Promise<void> {
  const agent: AgentRow | undefined = await ctx.db('agents').where({ id: agentId, active: true }).first();
  if (!agent) {
    throw invalid('unknownAgent', 'id');
  }
  if (agent.password_hash) {
    throw invalid('alreadyActivated', 'id');
  }
  await sendAccountLink(ctx.db, ctx.config, agent, 'ACTIVATION');
}
