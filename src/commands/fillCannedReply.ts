import { cannedValues, fillPlaceholders, placeholdersIn, type Filled } from '../canned/placeholders';
import type { Agent } from '../db/agents';
import { cannedRepliesFor, findCannedReply, type CannedReplyRow } from '../db/cannedReplies';
import type { RequestRow } from '../db/requests';
import { emailContext } from '../mail/context';
import { can } from '../policies';
import { loadForAgent, type Ctx } from './context';
import { CommandError } from './errors';

/** Whether a reply may be offered on this request to this agent: theirs to use, and of its service (or of every service). */
const fitsRequest = (agent: Agent, reply: CannedReplyRow, request: RequestRow): boolean =>
  can(agent, 'useCannedReply', reply) && (reply.service_id === null || reply.service_id === Number(request.service_id));

/** The replies the agent may pick while writing on this request. */
export async function cannedRepliesForRequest(ctx: Ctx, agent: Agent, request: RequestRow): Promise<CannedReplyRow[]> {
  return (await cannedRepliesFor(ctx.db, agent.id)).filter((reply) => fitsRequest(agent, reply, request));
}

/**
 * A canned reply filled for one request, by the agent who writes on it (their name is
 * {{nomAgent}}). What cannot be filled stays as typed and is listed, for the agent to fix.
 * Another agent's reply, or another service's, is « not found ».
 */
export async function fillCannedReply(ctx: Ctx, agent: Agent, reference: string, replyId: number): Promise<Filled & { reply: CannedReplyRow }> {
  const request = await loadForAgent(ctx, agent, reference, 'message');
  const reply = await findCannedReply(ctx.db, replyId);
  if (!reply || !fitsRequest(agent, reply, request)) {
    throw CommandError.of(404, 'CANNED_NOT_FOUND');
  }
  const context = await emailContext(ctx.db, request, ctx.config.publicUrl, null);
  return { ...fillPlaceholders(reply.body, cannedValues({ ...context, agentName: agent.name })), reply };
}

/** Refuses a text to the citizen that still holds a placeholder: they would read « {{nomUsager}} ». */
export function refuseUnfilled(text: string, field = 'body'): void {
  const left = placeholdersIn(text);
  if (left.length > 0) {
    throw CommandError.of(400, 'CANNED_UNFILLED', { placeholders: left.join(', ') }, field);
  }
}
