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

export interface FilterChoices {
  services: { slug: string; name: string }[];
  formTypes: { slug: string; title: string }[];
  agents: { code: string; name: string }[];
  closingCodes: CodeLabel[];
}

/** What the filters of a list may offer an agent: only their services' form types, services and colleagues. */
export async function filterChoices(db: Db, serviceIds: number[]): Promise<FilterChoices> {
  // One query for the four lists, by label: every list page shows them, and each query costs
  // the web process a socket write and its parsing.
  const rows: { kind: keyof FilterChoices; value: string; label: string }[] = await inServices(db('services'), 'id', serviceIds)
    .select(db.raw("'services' as kind"), 'slug as value', 'name as label')
    .unionAll(inServices(db('form_types'), 'service_id', serviceIds).select(db.raw("'formTypes'"), 'slug', 'title'))
    .unionAll(
      inServices(db('agents as a').join('agent_services as x', 'x.agent_id', 'a.id'), 'x.service_id', serviceIds)
        .where('a.active', true)
        .where(activated('a.')) // nobody to filter by or to give requests to before activation
        .distinct(db.raw("'agents'"), 'a.code', 'a.name'),
    )
    .unionAll(db('closing_codes').select(db.raw("'closingCodes'"), 'code', 'label'))
    .orderBy('label');
  const choices: FilterChoices = { services: [], formTypes: [], agents: [], closingCodes: [] };
  for (const { kind, value, label } of rows) {
    if (kind === 'services') choices.services.push({ slug: value, name: label });
    else if (kind === 'formTypes') choices.formTypes.push({ slug: value, title: label });
    else if (kind === 'agents') choices.agents.push({ code: value, name: label });
    else choices.closingCodes.push({ code: value, label });
  }
  return choices;
}
