// Reads the agent UI needs beyond the shared queries: reference lists and per-agent counts.
import type { Db } from './connection';
import { activated } from './activated';
import { cappedCount } from './cappedCount';
import { inGroups, inServices } from './scope';

export interface CodeLabel {
  code: string;
  label: string;
}

export async function listEventTypes(db: Db): Promise<CodeLabel[]> {
  return db('event_types').select('code', 'label').orderBy('label');
}

export async function isEventType(db: Db, code: string): Promise<boolean> {
  return Boolean(await db('event_types').where({ code }).first('code'));
}

/** The codes an agent may choose; system codes (EXPIRED) are set by the timers only. */
export async function listClosingCodes(db: Db): Promise<CodeLabel[]> {
  return db('closing_codes').where({ system: false }).select('code', 'label').orderBy('label');
}

/** Every closing code's label, the system ones included (a list of closed requests shows them all). */
export async function closingCodeLabels(db: Db): Promise<Map<string, string>> {
  const rows: CodeLabel[] = await db('closing_codes').select('code', 'label');
  return new Map(rows.map((c) => [c.code, c.label]));
}

export async function isChoosableClosingCode(db: Db, code: string): Promise<boolean> {
  return Boolean(code) && Boolean(await db('closing_codes').where({ code, system: false }).first('code'));
}

export async function closingLabel(db: Db, code: string | null): Promise<string | null> {
  if (!code) {
    return null;
  }
  const row: CodeLabel | undefined = await db('closing_codes').where({ code }).first('code', 'label');
  return row?.label ?? code;
}

/** The agent's requests in progress, for the "En cours" counter (capped, see cappedCount). */
export async function countInProgressOf(db: Db, agentId: number, groupIds: number[]): Promise<number> {
  return cappedCount(db, inGroups(db('requests'), 'group_id', groupIds).where({ assignee_id: agentId, status: 'EN_COURS' }));
}

/** What the filters of a list may offer an agent: only their services' form types, services and colleagues. */
export async function filterChoices(db: Db, serviceIds: number[]) {
  const [services, formTypes, agents, closingCodes] = await Promise.all([
    inServices(db('services'), 'id', serviceIds).orderBy('name').select('slug', 'name') as Promise<{ slug: string; name: string }[]>,
    inServices(db('form_types'), 'service_id', serviceIds).orderBy('title').select('slug', 'title') as Promise<{ slug: string; title: string }[]>,
    inServices(db('agents as a').join('agent_services as x', 'x.agent_id', 'a.id'), 'x.service_id', serviceIds)
      .where('a.active', true)
      .where(activated('a.')) // nobody to filter by or to give requests to before activation
      .distinct('a.code', 'a.name')
      .orderBy('a.name') as Promise<{ code: string; name: string }[]>,
    db('closing_codes').orderBy('label').select('code', 'label') as Promise<CodeLabel[]>,
  ]);
  return { services, formTypes, agents, closingCodes };
}
