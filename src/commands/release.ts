import type { Agent } from '../db/agents';
import { releaseUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';

/** Libérer: the request goes back to its group's queue, unassigned, its status kept (its holder, or a dispatcher of the group). */
export async function release(ctx: Ctx, agent: Agent, reference: string) {
  const request = await loadForAgent(ctx, agent, reference, 'release');
  await refuseByStatus(ctx, request, 'release');
  return runUpdate(ctx, request, releaseUpdate, { agentId: agent.id });
}
