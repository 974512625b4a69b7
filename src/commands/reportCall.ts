import { normalPhone } from '../calls/phone';
import { loadAgent } from '../db/agents';
import { agentIdForCall, findConnectorCall, forgetOldCallers, insertCall, updateCall, type CallStatus, type PhoneCallRow } from '../db/phoneCalls';
import { findRequestById } from '../db/requests';
import type { Ctx } from './context';
import { CommandError } from './errors';
import { recordPhoneCall } from './recordPhoneCall';
import type { PhoneEventProps } from './schemas';

/** A caller's number is kept a day at most, whatever the agent does with the call. */
export const CALLER_KEPT_MS = 24 * 3600 * 1000;

/** What the connector is answered: the call as Guichet now holds it, nothing about the caller or requests. */
export interface ReportedCall {
  callId: string;
  status: CallStatus;
  agent: string;
  durationSeconds: number | null;
}

const answerOf = (call: PhoneCallRow, agentCode: string): ReportedCall => ({
  callId: call.call_id, status: call.status, agent: agentCode,
  durationSeconds: call.status === 'ENDED' && call.answered_at !== null && call.ended_at !== null ? Math.round((call.ended_at - call.answered_at) / 1000) : null,
});

/**
 * A telephony connector reports a call (ringing, answered, hangup) of an agent's line.
 * Each report is idempotent (the same report twice changes nothing) and moves the call
 * only forward. On « answered » the agent's open page shows the caller's file (its poller,
 * src/web/routes/telephony.ts); on « hangup » the call is recorded on the request the agent
 * had open, else the panel offers to choose one.
 */
export async function reportCall(ctx: Ctx, tokenId: number, props: PhoneEventProps): Promise<ReportedCall> {
  const caller = normalPhone(props.caller);
  if (!caller) {
    throw new CommandError(400, 'INVALID_INPUT', `caller : ${CommandError.of(400, 'PHONE_CALLER_INVALID').message}`, 'caller');
  }
  const agentId = await agentIdForCall(ctx.db, { agent: props.agent || undefined, line: props.line || undefined });
  const agent = agentId === undefined ? undefined : await loadAgent(ctx.db, agentId);
  if (!agent) {
    throw CommandError.of(404, 'PHONE_AGENT_NOT_FOUND', {}, props.agent ? 'agent' : 'line');
  }
  const now = Date.now();
  await forgetOldCallers(ctx.db, now - CALLER_KEPT_MS);
  const existing = await findConnectorCall(ctx.db, tokenId, props.callId);
  const fresh = { token_id: tokenId, call_id: props.callId, agent_id: agent.id, caller, created_at: now, updated_at: now, ended_at: null };
  if (props.event === 'ringing') {
    const call = existing ?? (await insertCall(ctx.db, { ...fresh, status: 'RINGING', ringing_at: now, answered_at: null }));
    return answerOf(call, agent.code);
  }
  if (props.event === 'answered') {
    if (!existing) {
      return answerOf(await insertCall(ctx.db, { ...fresh, status: 'ANSWERED', ringing_at: null, answered_at: now }), agent.code);
    }
    if (existing.status === 'ENDED') {
      throw CommandError.of(409, 'PHONE_CALL_ENDED');
    }
    // Rung on one telephone, answered on another (a group line): the call is the answering agent's.
    await updateCall(ctx.db, existing.id, ['RINGING'], { status: 'ANSWERED', answered_at: now, agent_id: agent.id });
    const call = (await findConnectorCall(ctx.db, tokenId, props.callId))!;
    return answerOf(call, (await loadAgent(ctx.db, call.agent_id))?.code ?? agent.code);
  }
  if (!existing) {
    throw CommandError.of(404, 'PHONE_CALL_NOT_FOUND', {}, 'callId');
  }
  if (await updateCall(ctx.db, existing.id, ['RINGING', 'ANSWERED'], { status: 'ENDED', ended_at: now })) {
    await recordOnOpenRequest(ctx, (await findConnectorCall(ctx.db, tokenId, props.callId))!);
  }
  const call = (await findConnectorCall(ctx.db, tokenId, props.callId))!;
  return answerOf(call, (await loadAgent(ctx.db, call.agent_id))?.code ?? agent.code);
}

/**
 * A call answered while the agent had a request open is recorded on it at the hangup. If
 * it cannot be (closed meanwhile, Temporal away), the panel offers the choice instead:
 * the connector is not told, it did its part.
 */
async function recordOnOpenRequest(ctx: Ctx, call: PhoneCallRow): Promise<void> {
  if (call.answered_at === null || call.open_request_id === null) {
    return;
  }
  const [agent, request] = await Promise.all([loadAgent(ctx.db, call.agent_id), findRequestById(ctx.db, call.open_request_id)]);
  if (!agent || !request) {
    return;
  }
  try {
    await recordPhoneCall(ctx, agent, call.id, request.reference);
  } catch (err) {
    console.error(`telephony: call ${call.id} not recorded on ${request.reference}: ${(err as Error).message}`);
  }
}
