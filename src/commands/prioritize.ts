import type { Agent } from '../db/agents';
import { prioritizeUpdate, rankOf, type PriorityRank } from '../../workflows/definitions';
import { refusalOf } from '../../workflows/lifecycle';
import { loadForAgent, refusalMessage, refuseByStatus, runUpdate, type Ctx } from './context';
import type { PrioritizeProps } from './schemas';

/** Changer la priorité: haute, moyenne ou basse, on an open request; the history says from what to what, and who. */
export async function prioritize(ctx: Ctx, agent: Agent, reference: string, props: PrioritizeProps) {
  const request = await loadForAgent(ctx, agent, reference, 'prioritize');
  await refuseByStatus(ctx, request, 'prioritize');
  const change = { from: Number(request.priority) as PriorityRank, to: rankOf(props.priority) };
  const same = refusalOf('prioritize', { status: request.status, assigneeId: request.assignee_id }, { priority: change });
  if (same) {
    throw await refusalMessage(ctx, same);
  }
  return runUpdate(ctx, request, prioritizeUpdate, { agentId: agent.id, ...change });
}
