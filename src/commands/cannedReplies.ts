// Keeping canned replies: an administrator's shared ones (for a service or every service)
// and an agent's own. The policy says who may change which (src/policies.ts).
import { CANNED_PLACEHOLDERS, unknownPlaceholders } from '../canned/placeholders';
import type { Agent } from '../db/agents';
import { deleteCannedReply, findCannedReply, insertCannedReply, updateCannedReply, type CannedReplyRow } from '../db/cannedReplies';
import { findService } from '../db/services';
import { authorize } from '../policies';
import type { Ctx } from './context';
import { CommandError } from './errors';

export const MAX_CANNED_TITLE = 200;
export const MAX_CANNED_BODY = 10_000;

/** Shared: the administrators'; personal: the acting agent's own. */
export type CannedScope = 'shared' | 'personal';

export interface CannedReplyProps {
  title: string;
  body: string;
  /** null: every service */
  serviceId: number | null;
}

export const scopeOf = (reply: Pick<CannedReplyRow, 'owner_agent_id'>): CannedScope => (reply.owner_agent_id === null ? 'shared' : 'personal');

/** Title and body present and not too long, only known placeholders, an existing service (one of the agent's, for a personal reply). */
async function checked(ctx: Ctx, agent: Agent, scope: CannedScope, props: CannedReplyProps): Promise<CannedReplyProps> {
  const title = props.title.trim();
  const body = props.body.replace(/\r\n?/g, '\n').trim();
  if (!title) throw CommandError.of(400, 'CANNED_TITLE_REQUIRED', {}, 'title');
  if (title.length > MAX_CANNED_TITLE) throw CommandError.of(400, 'CANNED_TITLE_TOO_LONG', {}, 'title');
  if (!body) throw CommandError.of(400, 'CANNED_BODY_REQUIRED', {}, 'body');
  if (body.length > MAX_CANNED_BODY) throw CommandError.of(400, 'CANNED_BODY_TOO_LONG', {}, 'body');
  const unknown = unknownPlaceholders(body);
  if (unknown.length > 0) {
    const allowed = CANNED_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ');
    throw CommandError.of(400, 'CANNED_UNKNOWN_PLACEHOLDER', { unknown: unknown.join(', '), allowed }, 'body');
  }
  const serviceId = props.serviceId;
  const serviceRefused = serviceId !== null && (!(await findService(ctx.db, serviceId)) || (scope === 'personal' && !agent.serviceIds.includes(serviceId)));
  if (serviceRefused) throw CommandError.of(400, 'CANNED_SERVICE_UNKNOWN', {}, 'service');
  return { title, body, serviceId };
}

/** A reply the agent may change, in the scope of the page they act from; else « not found ». */
export async function editableReply(ctx: Ctx, agent: Agent, scope: CannedScope, id: number): Promise<CannedReplyRow> {
  const reply = await findCannedReply(ctx.db, id);
  if (!reply || scopeOf(reply) !== scope) throw CommandError.of(404, 'CANNED_NOT_FOUND');
  authorize(agent, 'editCannedReply', reply);
  return reply;
}

/** Creates a reply (id null) or changes one; returns its id. */
export async function saveCannedReply(ctx: Ctx, agent: Agent, scope: CannedScope, id: number | null, props: CannedReplyProps): Promise<number> {
  const owner = scope === 'personal' ? agent.id : null;
  if (id === null) {
    authorize(agent, 'editCannedReply', { owner_agent_id: owner, service_id: props.serviceId });
    return insertCannedReply(ctx.db, { ...(await checked(ctx, agent, scope, props)), ownerAgentId: owner }, agent.id);
  }
  await editableReply(ctx, agent, scope, id);
  await updateCannedReply(ctx.db, id, await checked(ctx, agent, scope, props), agent.id);
  return id;
}

export async function removeCannedReply(ctx: Ctx, agent: Agent, scope: CannedScope, id: number): Promise<CannedReplyRow> {
  const reply = await editableReply(ctx, agent, scope, id);
  await deleteCannedReply(ctx.db, id);
  return reply;
}
