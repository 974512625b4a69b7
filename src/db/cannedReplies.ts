import type { Db } from './connection';

/** A canned reply: shared (owner null; for a service, or every service when service_id is null) or an agent's own. */
export interface CannedReplyRow {
  id: number;
  title: string;
  body: string;
  service_id: number | null;
  owner_agent_id: number | null;
  service_name: string | null;
  updated_at: number;
}

export interface CannedReplyFields {
  title: string;
  body: string;
  serviceId: number | null;
  ownerAgentId: number | null;
}

const COLUMNS = ['canned_replies.id', 'title', 'body', 'service_id', 'owner_agent_id', 'services.name as service_name', 'canned_replies.updated_at'];

const normalized = (row: CannedReplyRow): CannedReplyRow => ({
  ...row,
  id: Number(row.id),
  service_id: row.service_id === null ? null : Number(row.service_id),
  owner_agent_id: row.owner_agent_id === null ? null : Number(row.owner_agent_id),
  updated_at: Number(row.updated_at),
});

const base = (db: Db) => db('canned_replies').leftJoin('services', 'services.id', 'canned_replies.service_id');

export async function findCannedReply(db: Db, id: number): Promise<CannedReplyRow | undefined> {
  const row = await base(db).where('canned_replies.id', id).first(COLUMNS);
  return row ? normalized(row) : undefined;
}

/**
 * The shared replies and this agent's own, by title: the candidates an agent may be
 * offered (the policy then says which they may use).
 */
export async function cannedRepliesFor(db: Db, agentId: number): Promise<CannedReplyRow[]> {
  const rows = await base(db)
    .where((q) => q.whereNull('owner_agent_id').orWhere('owner_agent_id', agentId))
    .orderBy('title').select(COLUMNS);
  return rows.map(normalized);
}

/** Every shared reply, for the administration's list. */
export async function sharedCannedReplies(db: Db): Promise<CannedReplyRow[]> {
  const rows = await base(db).whereNull('owner_agent_id').orderBy('title').select(COLUMNS);
  return rows.map(normalized);
}

export async function insertCannedReply(db: Db, fields: CannedReplyFields, agentId: number | null): Promise<number> {
  const now = Date.now();
  const [id] = await db('canned_replies').insert({
    title: fields.title, body: fields.body, service_id: fields.serviceId, owner_agent_id: fields.ownerAgentId, updated_by: agentId, created_at: now, updated_at: now,
  });
  return Number(id);
}

/** Changes a reply's title, body and service; who owns it never changes. */
export async function updateCannedReply(db: Db, id: number, fields: Omit<CannedReplyFields, 'ownerAgentId'>, agentId: number | null): Promise<void> {
  await db('canned_replies').where({ id }).update({ title: fields.title, body: fields.body, service_id: fields.serviceId, updated_by: agentId, updated_at: Date.now() });
}

export async function deleteCannedReply(db: Db, id: number): Promise<void> {
  await db('canned_replies').where({ id }).delete();
}
