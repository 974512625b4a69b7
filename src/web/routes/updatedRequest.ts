// The request as an accepted Update left it: the row the command loaded and authorized,
// with the workflow's answer applied. The answer to an action draws the panel from it
// instead of loading and authorizing the request a second time. The history and the
// e-mails are read as usual: the transition activity wrote them before the Update answered.
import type { UpdateOutcome } from '../../commands/context';
import { agentNames, type Agent } from '../../db/agents';
import type { Db } from '../../db/connection';
import { findGroup } from '../../db/groups';
import type { RequestRow } from '../../db/requests';

type Assignee = Pick<RequestRow, 'assignee_code' | 'assignee_name'>;

/** Who holds the request now: the same as before, the acting agent, or the one it was given to. */
async function assigneeOf(db: Db, agent: Agent, request: RequestRow, assigneeId: number | null): Promise<Assignee> {
  if (assigneeId === null) {
    return { assignee_code: null, assignee_name: null };
  }
  if (request.assignee_id !== null && Number(request.assignee_id) === assigneeId) {
    return { assignee_code: request.assignee_code, assignee_name: request.assignee_name };
  }
  if (assigneeId === agent.id) {
    return { assignee_code: agent.code, assignee_name: agent.name };
  }
  const other = (await agentNames(db, [assigneeId])).get(assigneeId);
  return { assignee_code: other?.code ?? null, assignee_name: other?.name ?? null };
}

/** The queue it is in now: the same, or the one a transfer moved it to. */
async function groupOf(db: Db, request: RequestRow, groupId: number | null | undefined): Promise<Pick<RequestRow, 'group_id' | 'group_name'>> {
  if (groupId === null || groupId === undefined || Number(request.group_id) === groupId) {
    return { group_id: request.group_id, group_name: request.group_name };
  }
  return { group_id: groupId, group_name: (await findGroup(db, groupId))?.name ?? null };
}

/**
 * What the panel shows of the projection, as the workflow's state says it now stands.
 * The closing date is the workflow's within a moment (its own clock is not in the
 * state); the panel of a closed request reloads itself shortly after anyway.
 */
export async function requestAfterUpdate(db: Db, agent: Agent, { request, state }: UpdateOutcome): Promise<RequestRow> {
  const closedNow = state.status === 'CLOTUREE' && request.status !== 'CLOTUREE';
  return {
    ...request,
    ...(await assigneeOf(db, agent, request, state.assigneeId)),
    status: state.status,
    assignee_id: state.assigneeId,
    closing_code: state.closingCode,
    hold_until: state.holdUntil,
    priority: state.priority ?? request.priority,
    ...(await groupOf(db, request, state.groupId)),
    closed_at: closedNow ? Date.now() : request.closed_at,
    version: state.seq,
  };
}
