// Agent assistance: posting in a room, reading it (which marks it read) and the unread counts.
// Who may enter a room is the policy's (`chat`); what a message shows of a request, each
// reader's (src/chat/links.ts).
import { partsOf, readableRequests, referencePattern, referencesIn, type LinkedRequest, type Part } from '../chat/links';
import { openRoom, roomsOf, type Room } from '../chat/rooms';
import type { Agent } from '../db/agents';
import { chatMessages, insertChatMessage, type ChatMessageRow, lastChatMessageId, markChatRead, unreadByRoom, unreadCount } from '../db/chat';
import type { Ctx } from './context';
import { CommandError } from './errors';
import type { ChatMessageInput } from './schemas';

export const MAX_CHAT_MESSAGE = 2000;
/** How many messages a room shows when opened. */
export const CHAT_PAGE = 100;

export interface ChatMessage {
  id: number;
  author: { code: string; name: string };
  body: string;
  parts: Part[];
  /** the request it names, when the reader may read it */
  request: LinkedRequest | null;
  mine: boolean;
  createdAt: number;
}

/** The typed body, and the reference of the « demande liée » field added to it when it does not name it already. */
function bodyOf(ctx: Ctx, input: ChatMessageInput): string {
  const body = input.body.replace(/\r\n?/g, '\n').trim();
  if (!body) {
    throw CommandError.of(400, 'CHAT_EMPTY', {}, 'body');
  }
  if (body.length > MAX_CHAT_MESSAGE) {
    throw CommandError.of(400, 'CHAT_TOO_LONG', { max: MAX_CHAT_MESSAGE.toLocaleString('fr-FR') }, 'body');
  }
  const prefix = ctx.config.referencePrefix;
  const typed = (input.request ?? '').trim();
  if (!typed) {
    return body;
  }
  // Typed in any case (« dem-2026-000123 »): written as references are.
  if (!new RegExp(`^${referencePattern(prefix).source}$`, 'i').test(typed)) {
    throw CommandError.of(400, 'CHAT_REFERENCE_INVALID', { example: `${prefix}-2026-000123` }, 'request');
  }
  const reference = `${prefix}${typed.slice(prefix.length)}`;
  return referencesIn(body, prefix).includes(reference) ? body : `${body}\n${reference}`;
}

/**
 * Posts in a room the agent belongs to. The first reference of an existing request is kept
 * as the message's request, whoever may read it: the author is told nothing either way, so
 * that typing references does not tell which exist.
 */
export async function postChatMessage(ctx: Ctx, agent: Agent, slug: string, input: ChatMessageInput): Promise<{ room: Room; id: number }> {
  const room = await openRoom(ctx.db, agent, slug);
  const body = bodyOf(ctx, input);
  const references = referencesIn(body, ctx.config.referencePrefix);
  const named = references.length ? await ctx.db('requests').whereIn('reference', references).select('id', 'reference') : [];
  const first = references.map((ref) => named.find((r: { reference: string }) => r.reference === ref)).find((r) => r !== undefined);
  const id = await insertChatMessage(ctx.db, { room: room.id, agentId: agent.id, body, requestId: first ? Number(first.id) : null, at: Date.now() });
  return { room, id };
}

/** Messages as this reader sees them: links only to the requests they may read. */
async function asSeenBy(ctx: Ctx, agent: Agent, rows: ChatMessageRow[]): Promise<ChatMessage[]> {
  const prefix = ctx.config.referencePrefix;
  const readable = await readableRequests(ctx.db, agent, rows.map((r) => r.body), prefix);
  return rows.map((r) => ({
    id: r.id,
    author: { code: r.agent_code, name: r.agent_name },
    body: r.body,
    parts: partsOf(r.body, readable, prefix),
    request: referencesIn(r.body, prefix).map((ref) => readable.get(ref)).find((l) => l !== undefined) ?? null,
    mine: r.agent_id === agent.id,
    createdAt: r.created_at,
  }));
}

/**
 * A room's messages as this reader sees them: its last ones, or those after `after`. What
 * is shown is read (marked up to the last one).
 */
export async function readChat(ctx: Ctx, agent: Agent, room: Room, after: number | null): Promise<{ messages: ChatMessage[]; lastId: number }> {
  const rows = await chatMessages(ctx.db, room.id, { after, limit: CHAT_PAGE });
  const lastId = rows.length ? rows[rows.length - 1].id : after ?? 0;
  if (rows.length) {
    await markChatRead(ctx.db, agent.id, room.id, lastId);
  }
  return { messages: await asSeenBy(ctx, agent, rows), lastId };
}

/** One message just posted, as its author sees it (what came after it stays unread). */
export async function postedMessage(ctx: Ctx, agent: Agent, room: Room, id: number): Promise<ChatMessage> {
  const [message] = await asSeenBy(ctx, agent, await chatMessages(ctx.db, room.id, { after: id - 1, limit: 1 }));
  return message;
}

/** Whether a room has messages after `after`: what its poller asks every few seconds (one indexed query). */
export async function chatChanged(ctx: Ctx, room: Room, after: number): Promise<boolean> {
  return (await lastChatMessageId(ctx.db, room.id)) !== after;
}

/** The agent's rooms with the number of colleagues' messages they have not read in each. */
export async function roomsWithUnread(ctx: Ctx, agent: Agent): Promise<(Room & { unread: number })[]> {
  const [rooms, unread] = await Promise.all([roomsOf(ctx.db, agent), unreadByRoom(ctx.db, agent.id, agent.groupIds)]);
  return rooms.map((room) => ({ ...room, unread: unread.get(room.key) ?? 0 }));
}

/** The badge of every page: the colleagues' messages not read, in all the agent's rooms. */
export async function unreadTotal(ctx: Ctx, agent: Agent): Promise<number> {
  const row: { n: number | string } | undefined = await unreadCount(ctx.db, agent.id, agent.groupIds).first();
  return Number(row?.n ?? 0);
}
