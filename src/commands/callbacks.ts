// « Planifier un rappel », move it, cancel it (issue 13). The row (with the number to
// call) is written by the command; the request's workflow holds the timer, by id.
import type { Agent } from '../db/agents';
import { cancelCallbackRow, deleteCallback, findCallback, insertCallback, moveCallbackRow, type CallbackRow } from '../db/callbacks';
import type { RequestRow } from '../db/requests';
import { normalPhone } from '../calls/phone';
import { cancelCallbackUpdate, moveCallbackUpdate, scheduleCallbackUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx, type UpdateOutcome } from './context';
import { CommandError } from './errors';
import { callbackTime, type CallbackProps, type MoveCallbackProps } from './schemas';
import { t } from '../i18n';

const invalid = (key: string, field: string) => new CommandError(400, 'INVALID_INPUT', t(`ui.invalid.${key}`), field);

/** The callback's time, which must be ahead. */
function futureTime(when: { date: string; time: string }): number {
  const dueAt = callbackTime(when);
  if (dueAt <= Date.now()) {
    throw invalid('callbackPast', 'time');
  }
  return dueAt;
}

/** The request (open, in the agent's groups), checked before anything is written. */
async function openRequest(ctx: Ctx, agent: Agent, reference: string): Promise<RequestRow> {
  const request = await loadForAgent(ctx, agent, reference, 'callback');
  await refuseByStatus(ctx, request, 'callback');
  return request;
}

/** One of the request's callbacks still to make. */
async function openCallback(ctx: Ctx, request: RequestRow, callbackId: number): Promise<CallbackRow> {
  const callback = Number.isSafeInteger(callbackId) ? await findCallback(ctx.db, request.id, callbackId) : undefined;
  if (!callback) {
    throw CommandError.of(404, 'CALLBACK_NOT_FOUND');
  }
  if (callback.status !== 'PLANNED' && callback.status !== 'DUE') {
    throw CommandError.of(409, 'CALLBACK_FINISHED');
  }
  return callback;
}

export async function planCallback(ctx: Ctx, agent: Agent, reference: string, props: CallbackProps): Promise<UpdateOutcome & { callbackId: number }> {
  const request = await openRequest(ctx, agent, reference);
  const phone = normalPhone(props.phone);
  if (phone === null) {
    throw invalid('phone', 'phone');
  }
  const dueAt = futureTime(props);
  const callbackId = await insertCallback(ctx.db, {
    requestId: request.id, groupId: Number(request.group_id), agentId: agent.id, dueAt, phone, reassignToMe: props.reassignToMe, at: Date.now(),
  });
  // Removed only if the workflow certainly refused it (see runUpdate).
  const outcome = await runUpdate(ctx, request, scheduleCallbackUpdate, { agentId: agent.id, callbackId, dueAt }, () => deleteCallback(ctx.db, callbackId));
  return { ...outcome, callbackId };
}

export async function moveCallback(ctx: Ctx, agent: Agent, reference: string, callbackId: number, props: MoveCallbackProps): Promise<UpdateOutcome> {
  const request = await openRequest(ctx, agent, reference);
  await openCallback(ctx, request, callbackId);
  const dueAt = futureTime(props);
  const outcome = await runUpdate(ctx, request, moveCallbackUpdate, { agentId: agent.id, callbackId, dueAt });
  await moveCallbackRow(ctx.db, callbackId, dueAt, agent.id);
  return outcome;
}

export async function cancelCallback(ctx: Ctx, agent: Agent, reference: string, callbackId: number): Promise<UpdateOutcome> {
  const request = await openRequest(ctx, agent, reference);
  await openCallback(ctx, request, callbackId);
  const outcome = await runUpdate(ctx, request, cancelCallbackUpdate, { agentId: agent.id, callbackId });
  await cancelCallbackRow(ctx.db, callbackId, Date.now());
  return outcome;
}
