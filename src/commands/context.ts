import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Config } from '../config';
import type { Transport } from '../mail/transport';
import { findAgentRow, type Agent } from '../db/agents';
import type { Db } from '../db/connection';
import { findRequest, type RequestRow } from '../db/requests';
import { authorize, can, type Verb } from '../policies';
import { consultedGroupIds } from '../db/consultations';
import { workflowIdOf, type RequestState } from '../../workflows/definitions';
import { refusalOf, type Action, type Exchange, type Refusal } from '../../workflows/lifecycle';
import { CommandError } from './errors';
import { isUncertainUpdate } from './unavailable';
import { logger } from '../ops/logger';
import { withTimeout } from '../ops/timeout';

/** What every command needs: the database, the Temporal client and the configuration. */
export interface Ctx {
  db: Db;
  client: Client;
  config: Config;
  /** the process's mail transport: a filing sends its receipt at once through it (src/mail/receipt.ts) */
  transport?: Transport;
}

/** parse → load → authorize: the request the agent names, if they may `verb` it (read it, by default). */
export async function loadForAgent(ctx: Ctx, agent: Agent, reference: string, verb: Extract<Verb, 'read' | Action | 'message'> = 'read'): Promise<RequestRow> {
  const request = await findRequest(ctx.db, reference);
  if (!request) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  authorize(agent, verb, request);
  return request;
}

/**
 * The request to show (its page, panel, files), to an agent of its group or of a group
 * consulted on it. Only for reading: the commands load with loadForAgent, which does not
 * let a consulted expert through.
 */
export async function loadForReading(ctx: Ctx, agent: Agent, reference: string): Promise<RequestRow> {
  const request = await findRequest(ctx.db, reference);
  if (!request) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  authorize(agent, 'read', await withConsultedGroups(ctx, agent, request));
  return request;
}

/** The request with the groups consulted on it, when the agent's own groups do not already let them read it. */
export async function withConsultedGroups<R extends RequestRow>(ctx: Ctx, agent: Agent, request: R): Promise<R & { consulted_group_ids?: number[] }> {
  return can(agent, 'read', request) ? request : { ...request, consulted_group_ids: await consultedGroupIds(ctx.db, request.id) };
}

/**
 * An action the request's status already rules out is refused after its input is
 * checked and before any precondition on its data (a close retried after it took
 * effect, and after the purge, is « déjà clôturée », not « pas d'adresse »), and before
 * anything is prepared for it. The projection only lags the workflow, which stays the
 * judge of what it accepts.
 */
export async function refuseByStatus(ctx: Ctx, request: RequestRow, action: Action | Exchange): Promise<void> {
  const assigneeId = request.assignee_id === null ? null : Number(request.assignee_id);
  const refusal = refusalOf(action, { status: request.status, assigneeId });
  if (refusal) {
    throw await refusalMessage(ctx, refusal);
  }
}

export async function refusalMessage(ctx: Ctx, refusal: Refusal): Promise<CommandError> {
  let assignee = '';
  if (refusal.assigneeId !== null) {
    assignee = (await findAgentRow(ctx.db, refusal.assigneeId))?.name ?? '';
  }
  return CommandError.of(409, refusal.code, { assignee });
}

/**
 * How long an action waits for the workflow's answer when Temporal answers slowly (a
 * worker catching up after an outage). A Temporal that is down is told sooner: the
 * client gives up retrying after about 2 s (src/temporal/client.ts). 10 s turned slow
 * into « indisponible » under a backlog, and every retry then prepared a new draft.
 */
export const UPDATE_DEADLINE_MS = 30_000;

/**
 * The gRPC deadline ends a call in flight, but the client's retries sleep up to 5 s
 * between calls whatever the deadline: the answer is bounded here as well.
 */
function bounded<T>(call: Promise<T>): Promise<T> {
  return withTimeout(call, UPDATE_DEADLINE_MS + 250, () => new WorkflowUpdateRPCTimeoutOrCancelledError(`pas de réponse de Temporal en ${UPDATE_DEADLINE_MS} ms`));
}

/**
 * What an accepted Update leaves the caller: the request as the command loaded and
 * authorized it (before the Update), and the workflow's state after it. The route draws
 * the panel from these without loading or authorizing the request again.
 */
export interface UpdateOutcome {
  request: RequestRow;
  state: RequestState;
}

/**
 * Runs a workflow Update; a refusal by its validator (illegal or stale action) becomes
 * a 409 with the French reason. Nothing was written when it is refused.
 *
 * `onRefused` undoes what the caller prepared for the Update (an e-mail, a comment),
 * and runs only when the workflow certainly did not take it: its validator refused, or
 * the workflow no longer exists. Any other failure (timeout, Temporal unreachable) is
 * ambiguous, the Update may have been accepted and the workflow may refer to what was
 * prepared: it is kept, and the caller gets a 503 saying the action is unconfirmed.
 */
export async function runUpdate<Arg>(
  ctx: Ctx,
  request: RequestRow,
  update: UpdateDefinition<RequestState, [Arg], string>,
  arg: Arg,
  onRefused: () => Promise<void> = async () => undefined,
): Promise<UpdateOutcome> {
  const handle = ctx.client.workflow.getHandle(workflowIdOf(request.reference));
  try {
    const state = await bounded(ctx.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(update, { args: [arg] })));
    return { request, state };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const refusal = err.cause.details?.[0] as Refusal | undefined;
      if (refusal?.code) {
        await onRefused();
        throw await refusalMessage(ctx, refusal);
      }
    }
    if (err instanceof WorkflowNotFoundError) {
      // The workflow ends once a closed request is purged.
      await onRefused();
      throw CommandError.of(409, 'ALREADY_CLOSED');
    }
    if (isUncertainUpdate(err)) {
      logger.warn({ err, update: update.name, workflowId: workflowIdOf(request.reference) }, 'update unconfirmed');
      throw CommandError.of(503, 'ACTION_UNCONFIRMED');
    }
    throw err;
  }
}
