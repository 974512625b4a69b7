// Who may do what: an agent acts only on requests of the services they belong to.
import type { Agent } from './db/agents';
import type { RequestRow } from './db/requests';
import { allowedActions, type Action } from '../workflows/lifecycle';

export function canSee(agent: Agent, request: Pick<RequestRow, 'service_id'>): boolean {
  return agent.serviceIds.includes(Number(request.service_id));
}

/** The actions the agent may offer on this request now: the template shows only these buttons. */
export function abilities(agent: Agent, request: RequestRow): Record<Action, boolean> {
  const allowed = canSee(agent, request) ? allowedActions(request.status) : [];
  return {
    take: allowed.includes('take'),
    hold: allowed.includes('hold'),
    resume: allowed.includes('resume'),
    reassign: allowed.includes('reassign'),
    annotate: allowed.includes('annotate'),
    close: allowed.includes('close'),
  };
}
