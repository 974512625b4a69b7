import type { Agent } from '../db/agents';
import { claimCallRecording, findCall, releaseCallRecording, type PhoneCallRow } from '../db/phoneCalls';
import { phoneCallUpdate } from '../../workflows/definitions';
import { authorize } from '../policies';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx, type UpdateOutcome } from './context';
import { CommandError } from './errors';

/** Whole seconds between « answered » and « hangup ». */
export const callSeconds = (call: Pick<PhoneCallRow, 'answered_at' | 'ended_at'>): number =>
  Math.max(0, Math.round(((call.ended_at ?? 0) - (call.answered_at ?? 0)) / 1000));

/**
 * Records an ended call on a request, through its workflow: an APPEL_TELEPHONIQUE event
 * with the call's duration, by the agent who answered. Once per call: the call is claimed
 * for the request first, so that two attempts at once (the hangup and the agent's choice,
 * a double click) record it once; a refusal gives the claim back.
 */
export async function recordPhoneCall(ctx: Ctx, agent: Agent, callId: number, reference: string): Promise<UpdateOutcome> {
  const call = await findCall(ctx.db, callId);
  if (!call) {
    throw CommandError.of(404, 'PHONE_CALL_NOT_FOUND');
  }
  authorize(agent, 'handleCall', call);
  if (call.status !== 'ENDED' || call.answered_at === null) {
    throw CommandError.of(409, 'PHONE_CALL_NOT_ENDED');
  }
  const request = await loadForAgent(ctx, agent, reference, 'logCall');
  await refuseByStatus(ctx, request, 'logCall');
  if (!(await claimCallRecording(ctx.db, call.id, request.id))) {
    throw CommandError.of(409, 'PHONE_CALL_ALREADY_RECORDED');
  }
  return runUpdate(ctx, request, phoneCallUpdate, { agentId: agent.id, seconds: callSeconds(call) }, () => releaseCallRecording(ctx.db, call.id));
}
