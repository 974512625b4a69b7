import type { Agent } from '../db/agents';
import { findCall, patchCall } from '../db/phoneCalls';
import { authorize } from '../policies';
import type { Ctx } from './context';
import { CommandError } from './errors';
import { logCall } from './logCall';
import type { LogCallProps } from './schemas';

async function ownEndedCall(ctx: Ctx, agent: Agent, callId: number) {
  const call = await findCall(ctx.db, callId);
  if (!call) {
    throw CommandError.of(404, 'PHONE_CALL_NOT_FOUND');
  }
  authorize(agent, 'handleCall', call);
  return call;
}

/**
 * Closes a call's panel: the agent is done with it. The caller's number is forgotten then
 * (the history keeps the call, its request and its duration).
 */
export async function closeCallPanel(ctx: Ctx, agent: Agent, callId: number): Promise<void> {
  const call = await ownEndedCall(ctx, agent, callId);
  if (call.status !== 'ENDED') {
    throw CommandError.of(409, 'PHONE_CALL_NOT_ENDED');
  }
  await patchCall(ctx.db, call.id, { closed_at: Date.now(), caller: null });
}

/**
 * The wrap-up of a call recorded on a request (the codes of « Enregistrer l'appel »), as
 * logCall records it, then its panel closes. Returns the request's reference.
 */
export async function wrapUpCall(ctx: Ctx, agent: Agent, callId: number, props: LogCallProps, referenceOf: (id: number) => Promise<string | undefined>): Promise<string> {
  const call = await ownEndedCall(ctx, agent, callId);
  const reference = call.request_id === null ? undefined : await referenceOf(call.request_id);
  if (call.status !== 'ENDED' || !reference) {
    throw CommandError.of(409, 'PHONE_CALL_NOT_RECORDED');
  }
  await logCall(ctx, agent, reference, props);
  await closeCallPanel(ctx, agent, callId);
  return reference;
}
