import type { Agent } from '../db/agents';
import { loadAgent, findAgentRowByCode } from '../db/agents';
import type { Db } from '../db/connection';
import type { RequestRow } from '../db/requests';
import { reassignUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import { authorize } from '../policies';
import type { ReassignProps } from './schemas';

/**
 * The agent a request (or a bulk selection) is to be given to, by code; refused, saying
 * why, when no agent has that code, the account is deactivated or its activation pending,
 * or the agent is absent (their presence). The policy's `receive` says the same for one
 * request; a bulk selection is refused here, before its job starts.
 */
export async function reassignTarget(db: Db, code: string): Promise<Agent> {
  const row = await findAgentRowByCode(db, code);
  if (row && !row.active) {
    throw CommandError.of(400, 'AGENT_DEACTIVATED', { value: row.name }, 'agent');
  }
  const target = row ? await loadAgent(db, row.id) : undefined;
  if (!target) {
    throw CommandError.of(400, 'UNKNOWN_AGENT', { value: code }, 'agent');
  }
  if (!target.activated) {
    throw CommandError.of(400, 'AGENT_NOT_ACTIVATED', { value: target.name }, 'agent');
  }
  if (target.presence === 'ABSENT') {
    throw CommandError.of(400, 'AGENT_ABSENT', { value: target.name }, 'agent');
  }
  return target;
}

/**
 * Taking a request from a colleague who holds it is asked to be confirmed first (a
 * dispatcher's act, the policy's): the refusal names who holds it now.
 */
async function refuseUnconfirmed(ctx: Ctx, agent: Agent, request: RequestRow, target: Agent, confirmed: boolean): Promise<void> {
  const holder = request.assignee_id === null ? null : Number(request.assignee_id);
  if (confirmed || holder === null || holder === agent.id || holder === target.id) {
    return;
  }
  throw CommandError.of(409, 'CONFIRMATION_REQUIRED', { assignee: request.assignee_name ?? '', to: target.name });
}

/** Réattribuer: gives the request to another agent of its group; the status stays; they are e-mailed. */
export async function reassign(ctx: Ctx, agent: Agent, reference: string, props: ReassignProps) {
  const request = await loadForAgent(ctx, agent, reference, 'reassign');
  const target = await reassignTarget(ctx.db, props.agent);
  authorize(target, 'receive', request);
  await refuseByStatus(ctx, request, 'reassign');
  await refuseUnconfirmed(ctx, agent, request, target, props.confirm === true);
  return runUpdate(ctx, request, reassignUpdate, { agentId: agent.id, toAgentId: target.id });
}
