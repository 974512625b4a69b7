import type { Db } from './connection';

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
