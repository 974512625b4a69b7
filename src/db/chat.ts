// The rooms of agent assistance (« salons d'entraide »): their messages and what each agent
// has read of them. A room is a group (its members) or « Tous les agents » (group null);
// chat_reads names it by its key, the group's id or 0.
import type { Knex } from 'knex';
import type { Db } from './connection';

/** The room « Tous les agents »: no group. */
export const ALL_AGENTS = null;
export type RoomId = number | null;

/** The room's key in chat_reads (and in URLs, as « tous » for 0). */
export const roomKey = (room: RoomId): number => room ?? 0;

export interface ChatMessageRow {
  id: number;
  group_id: number | null;
  agent_id: number;
  agent_code: string;
  agent_name: string;
  body: string;
  request_id: number | null;
  created_at: number;
}

const inRoom = (room: RoomId) => (room === null ? { 'm.group_id': null } : { 'm.group_id': room });

export async function insertChatMessage(db: Db, props: { room: RoomId; agentId: number; body: string; requestId: number | null; at: number }): Promise<number> {
  const [id] = await db('chat_messages').insert({ group_id: props.room, agent_id: props.agentId, body: props.body, request_id: props.requestId, created_at: props.at });
  return Number(id);
}

/** A room's messages after `after` (oldest first), or its last `limit` ones when `after` is null. */
export async function chatMessages(db: Db, room: RoomId, opts: { after: number | null; limit: number }): Promise<ChatMessageRow[]> {
  const query = db('chat_messages as m')
    .join('agents as a', 'a.id', 'm.agent_id')
    .where(inRoom(room))
    .select('m.*', 'a.code as agent_code', 'a.name as agent_name')
    .limit(opts.limit);
  const rows: ChatMessageRow[] = opts.after === null
    ? (await query.orderBy('m.id', 'desc')).reverse()
    : await query.where('m.id', '>', opts.after).orderBy('m.id', 'asc');
  return rows.map((r) => ({ ...r, id: Number(r.id), group_id: r.group_id === null ? null : Number(r.group_id), agent_id: Number(r.agent_id), request_id: r.request_id === null ? null : Number(r.request_id), created_at: Number(r.created_at) }));
}

/** The id of a room's last message (0: none yet): what a poller compares with. */
export async function lastChatMessageId(db: Db, room: RoomId): Promise<number> {
  const row = await db('chat_messages as m').where(inRoom(room)).max({ id: 'm.id' }).first();
  return Number(row?.id ?? 0);
}

/** Everything up to `messageId` in the room is read by the agent (never goes back). */
export async function markChatRead(db: Db, agentId: number, room: RoomId, messageId: number): Promise<void> {
  const key = { agent_id: agentId, room: roomKey(room) };
  const updated = await db('chat_reads').where(key).where('last_read_message_id', '<', messageId).update({ last_read_message_id: messageId });
  if (!updated && !(await db('chat_reads').where(key).first())) {
    // Two tabs opening the room at once: the second insert finds the row and is ignored.
    await db('chat_reads').insert({ ...key, last_read_message_id: messageId }).onConflict(['agent_id', 'room']).ignore();
  }
}

/**
 * The messages of colleagues the agent has not read, per room key, in the rooms given
 * (their groups and « Tous les agents »): one query on the rooms' index.
 */
export async function unreadByRoom(db: Db, agentId: number, groupIds: readonly number[]): Promise<Map<number, number>> {
  const rows: { room: number | string; n: number | string }[] = await unreadMessages(db, agentId, groupIds)
    .groupByRaw('coalesce(m.group_id, 0)')
    .select(db.raw('coalesce(m.group_id, 0) as room'))
    .count({ n: '*' });
  return new Map(rows.map((r) => [Number(r.room), Number(r.n)]));
}

/** How many, in all the agent's rooms: a count query, for the nav's badge (src/db/navBadges.ts). */
export const unreadCount = (db: Db, agentId: number, groupIds: readonly number[]): Knex.QueryBuilder =>
  unreadMessages(db, agentId, groupIds).count({ n: '*' });

function unreadMessages(db: Db, agentId: number, groupIds: readonly number[]): Knex.QueryBuilder {
  return db('chat_messages as m')
    .leftJoin('chat_reads as r', function joinReads() {
      this.on('r.agent_id', '=', db.raw('?', [agentId])).andOn('r.room', '=', db.raw('coalesce(m.group_id, 0)'));
    })
    .where((q) => {
      q.whereNull('m.group_id');
      if (groupIds.length) q.orWhereIn('m.group_id', groupIds);
    })
    .whereNot('m.agent_id', agentId)
    .where('m.id', '>', db.raw('coalesce(r.last_read_message_id, 0)'));
}
