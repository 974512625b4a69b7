import type { Agent } from '../db/agents';
import { assignUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';

/**
 * S'assigner: an unassigned request of one of the agent's groups becomes theirs (a
 * NON_TRAITEE one is taken, EN_COURS; an open one keeps its status). A request someone
 * assigned meanwhile is refused by the workflow: « déjà assignée à … ».
 */
export async function assign(ctx: Ctx, agent: Agent, reference: string) {
  const request = await loadForAgent(ctx, agent, reference, 'assign');
  await refuseByStatus(ctx, request, 'assign');
  return runUpdate(ctx, request, assignUpdate, { agentId: agent.id });
}
