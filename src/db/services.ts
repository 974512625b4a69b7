import type { Knex } from 'knex';
import type { Db } from './connection';
import { inServices } from './scope';
import { findGroupByName, insertGroup } from './groups';

export interface ServiceRow {
  id: number;
  slug: string;
  name: string;
}

export interface ServiceSummary extends ServiceRow {
  formTypes: number;
  agents: number;
}

export async function listServices(db: Db): Promise<ServiceRow[]> {
  return db('services').orderBy('name').select('id', 'slug', 'name');
}

/** The names of these services, by name (an agent's own, on « Mon compte » and « Équipe »). */
export async function serviceNamesOf(db: Db, ids: number[]): Promise<string[]> {
  return (await listServices(db)).filter((s) => ids.includes(s.id)).map((s) => s.name);
}

export async function findService(db: Db, id: number): Promise<ServiceRow | undefined> {
  return db('services').where({ id }).first('id', 'slug', 'name');
}

/** Services with how many form types and active agents each has, for the administration list. */
export async function serviceSummaries(db: Db): Promise<ServiceSummary[]> {
  const services = await listServices(db);
  const forms: { service_id: number; n: number }[] = await db('form_types').groupBy('service_id').select('service_id').count({ n: '*' });
  const agents: { service_id: number; n: number }[] = await db('agent_services as x')
    .join('agents as a', 'a.id', 'x.agent_id')
    .where('a.active', true)
    .groupBy('x.service_id')
    .select('x.service_id')
    .count({ n: '*' });
  const count = (rows: { service_id: number; n: number }[], id: number) => Number(rows.find((r) => Number(r.service_id) === id)?.n ?? 0);
  return services.map((s) => ({ ...s, formTypes: count(forms, s.id), agents: count(agents, s.id) }));
}

export async function servicesWithSlugs(db: Db, slugs: string[]): Promise<ServiceRow[]> {
  return db('services').whereIn('slug', slugs).select('id', 'slug', 'name');
}

/** Which of these ids name a service. */
export async function existingServiceIds(db: Db, ids: readonly number[]): Promise<number[]> {
  return (await inServices(db('services'), 'id', ids).pluck('id')).map(Number);
}

export async function serviceSlugTaken(db: Db, slug: string): Promise<boolean> {
  return Boolean(await db('services').where({ slug }).first('id'));
}

/** Whether another service than `exceptId` has this name. */
export async function serviceNameTaken(db: Db, name: string, exceptId?: number): Promise<boolean> {
  const q = db('services').where({ name });
  if (exceptId !== undefined) {
    q.whereNot({ id: exceptId });
  }
  return Boolean(await q.first('id'));
}

/** A new service and its own group (its form types file into it), together. */
export async function insertService(db: Db, props: { slug: string; name: string }): Promise<number> {
  return db.transaction(async (trx) => {
    const [id] = await trx('services').insert(props);
    await insertGroup(trx, { name: await freeGroupName(trx, props.name), serviceId: Number(id), followsService: true });
    return Number(id);
  });
}

/** The service's name, or « name (service) » when a group already has that name. */
async function freeGroupName(trx: Knex.Transaction, name: string): Promise<string> {
  return (await findGroupByName(trx, name)) ? `${name} (service)` : name;
}

export async function updateServiceName(db: Db, id: number, name: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('services').where({ id }).update({ name });
    // The service's own group keeps its name, unless another group already has it.
    if (!(await findGroupByName(trx, name))) {
      await trx('groups').where({ service_id: id, follows_service: true }).update({ name });
    }
  });
}

/** Whether any service exists (the demo is seeded once). */
export async function hasServices(db: Db): Promise<boolean> {
  return Boolean(await db('services').first('id'));
}
