import type { Agent } from '../db/agents';
import { resumeUpdate } from '../../workflows/definitions';
import { loadForAgent, runUpdate, type Ctx } from './context';

/** Réaffecter statut en cours: EN_ATTENTE → EN_COURS. */
export async function resume(ctx: Ctx, agent: Agent, reference: string) {
  const request = await loadForAgent(ctx, agent, reference, 'resume');
  return runUpdate(ctx, request, resumeUpdate, { agentId: agent.id });
}
