import type { AgentRow } from './agents';
import { activated } from './activated';
import type { Db } from './connection';

/** An agent's presence, as in the Genesys guide; an agent who is ABSENT is given no request and no e-mail about new ones. */
export const PRESENCES = ['DISPONIBLE', 'OCCUPE', 'ABSENT', 'PAUSE', 'REUNION', 'FORMATION'] as const;
export type Presence = (typeof PRESENCES)[number];

export const isPresence = (value: unknown): value is Presence =>
  typeof value === 'string' && (PRESENCES as readonly string[]).includes(value);

/** A row's presence; anything unknown reads as the default, Disponible. */
export const presenceOf = (row: Pick<AgentRow, 'presence'>): Presence => (isPresence(row.presence) ? row.presence : 'DISPONIBLE');

/** Whether the agent may be given requests and told about new ones. */
export const isReachable = (row: Pick<AgentRow, 'presence'>): boolean => presenceOf(row) !== 'ABSENT';

/** Sets an agent's presence and records the change, with who made it (null: the command line) and when. */
export async function setPresence(db: Db, agentId: number, presence: Presence, setBy: number | null, at: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('agents').where({ id: agentId }).update({ presence, presence_since: at });
    await trx('presence_changes').insert({ agent_id: agentId, presence, set_by_agent_id: setBy, at });
  });
}

/** An agent's presence and since when (ms). */
export async function presenceNow(db: Db, agentId: number): Promise<{ presence: Presence; since: number }> {
  const row: AgentRow = await db('agents').where({ id: agentId }).first();
  return { presence: presenceOf(row), since: Number(row.presence_since) };
}

export interface TeamMember {
  code: string;
  name: string;
  presence: Presence;
  since: number;
}

/** The active, activated agents of these services (the « Équipe » of an agent), by name. */
export async function teamOf(db: Db, serviceIds: number[]): Promise<TeamMember[]> {
  if (!serviceIds.length) {
    return [];
  }
  const rows: AgentRow[] = await db('agents as a')
    .whereExists((q) => q.from('agent_services as s').whereRaw('s.agent_id = a.id').whereIn('s.service_id', serviceIds))
    .where('a.active', true)
    .where(activated('a.'))
    .select('a.*')
    .orderBy('a.name');
  return rows.map((r) => ({ code: r.code, name: r.name, presence: presenceOf(r), since: Number(r.presence_since) }));
}
