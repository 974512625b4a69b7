// The agents' accounts as the administration and the account pages change them.
import type { Knex } from 'knex';
import type { AgentRow } from './agents';
import type { Db } from './connection';
import { syncServiceGroups } from './groups';

export interface AgentFields {
  name: string;
  email: string;
  isAdmin: boolean;
}

export async function agentCodeTaken(db: Db, code: string): Promise<boolean> {
  return Boolean(await db('agents').where({ code }).first('id'));
}

export async function findAgentRow(db: Db, id: number): Promise<AgentRow | undefined> {
  return db('agents').where({ id }).first();
}

export async function findActiveAgentRow(db: Db, id: number): Promise<AgentRow | undefined> {
  return db('agents').where({ id, active: true }).first();
}

/** Active agents with this code, or this address (case aside): whom a reset link may reach. */
export async function activeAgentsNamed(db: Db, codeOrEmail: string): Promise<AgentRow[]> {
  return db('agents')
    .where({ active: true })
    .where((q) => q.where('code', codeOrEmail).orWhereRaw('LOWER(email) = ?', [codeOrEmail.toLowerCase()]));
}

export async function listAgentRows(db: Db): Promise<AgentRow[]> {
  return db('agents').orderBy('name');
}

/** Which agent belongs to which service, every pair. */
export async function agentServiceLinks(db: Db): Promise<{ agent_id: number; service_id: number }[]> {
  return db('agent_services').select('agent_id', 'service_id');
}

export async function serviceIdsOfAgent(db: Db, agentId: number): Promise<number[]> {
  return (await db('agent_services').where({ agent_id: agentId }).pluck('service_id')).map(Number);
}

/** An agent's services become exactly these (their rights). */
async function setServicesOf(trx: Knex.Transaction, agentId: number, serviceIds: number[]): Promise<void> {
  await trx('agent_services').where({ agent_id: agentId }).delete();
  if (serviceIds.length > 0) {
    await trx('agent_services').insert(serviceIds.map((serviceId) => ({ agent_id: agentId, service_id: serviceId })));
  }
  await syncServiceGroups(trx, agentId, serviceIds);
}

/** A new active agent and their services, together. */
export async function insertAgent(db: Db, props: AgentFields & { code: string; passwordHash: string | null }, serviceIds: number[]): Promise<number> {
  const now = Date.now();
  // Disponible (the column's default) since the account exists.
  const row = { code: props.code, name: props.name, email: props.email, password_hash: props.passwordHash, is_admin: props.isAdmin, active: true, created_at: now, presence_since: now };
  return db.transaction(async (trx) => {
    const [id] = await trx('agents').insert(row);
    await setServicesOf(trx, Number(id), serviceIds);
    return Number(id);
  });
}

/** An agent's name, address, administrator flag and services, together. */
export async function updateAgentRow(db: Db, id: number, props: AgentFields, serviceIds: number[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('agents').where({ id }).update({ name: props.name, email: props.email, is_admin: props.isAdmin });
    await setServicesOf(trx, id, serviceIds);
  });
}

export async function setAgentActiveFlag(db: Db, id: number, active: boolean): Promise<void> {
  await db('agents').where({ id }).update({ active });
}

export async function setPasswordHash(db: Db, id: number, hash: string): Promise<void> {
  await db('agents').where({ id }).update({ password_hash: hash });
}
