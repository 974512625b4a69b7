import type { Agent } from '../db/agents';
import { loadAgent, findAgentRowByCode } from '../db/agents';
import { reassignUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import { authorize } from '../policies';
import type { ReassignProps } from './schemas';

/** Réattribuer: gives the request to another agent with rights on its service; the status stays; they are e-mailed. */
export async function reassign(ctx: Ctx, agent: Agent, reference: string, props: ReassignProps) {
  const request = await loadForAgent(ctx, agent, reference, 'reassign');
  const row = await findAgentRowByCode(ctx.db, props.agent);
  const target = row ? await loadAgent(ctx.db, row.id) : undefined;
  if (!target) {
    throw CommandError.of(400, 'UNKNOWN_AGENT', { value: props.agent }, 'agent');
  }
  authorize(target, 'receive', request);
  await refuseByStatus(ctx, request, 'reassign');
  return runUpdate(ctx, request, reassignUpdate, { agentId: agent.id, toAgentId: target.id });
}
