import type { Agent } from '../db/agents';
import { resumeUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';

/** Reprendre le traitement (resume): EN_ATTENTE → EN_COURS. */
export async function resume(ctx: Ctx, agent: Agent, reference: string) {
  const request = await loadForAgent(ctx, agent, reference);
  await refuseByStatus(ctx, request, 'resume');
  return runUpdate(ctx, request, resumeUpdate, { agentId: agent.id });
}
