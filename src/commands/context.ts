import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Config } from '../config';
import type { Agent } from '../db/agents';
import type { Db } from '../db/connection';
import { findRequest, type RequestRow } from '../db/requests';
import { canSee } from '../policies';
import { workflowIdOf, type RequestState } from '../../workflows/definitions';
import type { Refusal } from '../../workflows/lifecycle';
import { CommandError } from './errors';

/** What every command needs: the database, the Temporal client and the configuration. */
export interface Ctx {
  db: Db;
  client: Client;
  config: Config;
}

/** parse → load → authorize: the request the agent names, if they may act on it. */
export async function loadForAgent(ctx: Ctx, agent: Agent, reference: string): Promise<RequestRow> {
  const request = await findRequest(ctx.db, reference);
  if (!request) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  if (!canSee(agent, request)) {
    throw CommandError.of(403, 'FORBIDDEN');
  }
  return request;
}

async function refusalMessage(ctx: Ctx, refusal: Refusal): Promise<CommandError> {
  let assignee = '';
  if (refusal.assigneeId !== null) {
    const agent = await ctx.db('agents').where({ id: refusal.assigneeId }).first('name');
    assignee = agent?.name ?? '';
  }
  return CommandError.of(409, refusal.code, { assignee });
}

/**
 * Runs a workflow Update; a refusal by its validator (illegal or stale action) becomes
 * a 409 with the French reason. Nothing was written when it is refused.
 */
export async function runUpdate<Arg>(
  ctx: Ctx,
  request: RequestRow,
  update: UpdateDefinition<RequestState, [Arg], string>,
  arg: Arg,
): Promise<RequestState> {
  const handle = ctx.client.workflow.getHandle(workflowIdOf(request.reference));
  try {
    return await handle.executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const refusal = err.cause.details?.[0] as Refusal | undefined;
      if (refusal?.code) {
        throw await refusalMessage(ctx, refusal);
      }
    }
    if (err instanceof WorkflowNotFoundError) {
      // The workflow ends once a closed request is purged.
      throw CommandError.of(409, 'ALREADY_CLOSED');
    }
    throw err;
  }
}
