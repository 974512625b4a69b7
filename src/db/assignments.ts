// What an agent holds, and their choice about opening unassigned requests.
import type { Db } from './connection';
import { OPEN_STATUSES, type Status } from '../../workflows/definitions';

export interface HeldRequest {
  id: number;
  reference: string;
  status: Status;
  priority: number;
  form_type_title: string;
  group_name: string | null;
  created_at: number;
}

/** The open requests assigned to an agent: what « Libérer tous mes dossiers » would release, most urgent first. */
export async function openRequestsHeldBy(db: Db, agentId: number): Promise<HeldRequest[]> {
  const rows: HeldRequest[] = await db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .leftJoin('groups as g', 'g.id', 'r.group_id')
    .where('r.assignee_id', agentId)
    .whereIn('r.status', OPEN_STATUSES)
    .orderBy('r.priority', 'asc')
    .orderBy('r.created_at', 'asc')
    .select('r.id', 'r.reference', 'r.status', 'r.priority', 'r.created_at', 'f.title as form_type_title', 'g.name as group_name');
  return rows.map((r) => ({ ...r, id: Number(r.id), priority: Number(r.priority), created_at: Number(r.created_at) }));
}

/** Whether opening an unassigned request of the agent's groups assigns it to them (off unless they chose it). */
export async function opensAssign(db: Db, agentId: number): Promise<boolean> {
  const row = await db('agents').where({ id: agentId }).first('open_assigns');
  return Boolean(Number(row?.open_assigns ?? 0));
}

export async function setOpensAssign(db: Db, agentId: number, on: boolean): Promise<void> {
  await db('agents').where({ id: agentId }).update({ open_assigns: on });
}

/** The groups of each of these agents, by code: whose requests a dispatcher may release (« Équipe »). */
export async function groupIdsByCode(db: Db, codes: string[]): Promise<Map<string, number[]>> {
  const rows: { code: string; group_id: number | string }[] = codes.length
    ? await db('agent_groups as g').join('agents as a', 'a.id', 'g.agent_id').whereIn('a.code', codes).select('a.code', 'g.group_id')
    : [];
  const byCode = new Map<string, number[]>(codes.map((c) => [c, []]));
  for (const r of rows) {
    byCode.get(r.code)?.push(Number(r.group_id));
  }
  return byCode;
}
