// The filters, sort and page of a list live in its URL (French parameter names, as
// agents share these links): the back button and a pasted link show the same list.
import type { Db } from '../db/connection';
import { findAgentRowByCode } from '../db/agents';
import { SORTS, type Direction, type Page, type RequestFilter, type Sort } from '../db/requestSearch';
import { PRIORITIES, rankOf, STATUSES, type Priority, type Status } from '../../workflows/definitions';
import { t } from '../i18n';
import { midnightOf } from '../dates';

const DAY = 24 * 3600_000;

export const PAGE_SIZE = 100;

/** URL parameter → what it sets. */
export const PARAMS = {
  reference: 'reference',
  trackingCode: 'suivi',
  name: 'nom',
  email: 'courriel',
  formType: 'demarche',
  status: 'statut',
  assignee: 'agent',
  service: 'service',
  submittedFrom: 'depot_du',
  submittedTo: 'depot_au',
  closedFrom: 'cloture_du',
  closedTo: 'cloture_au',
  closingCode: 'code',
  overdue: 'en_retard',
  priority: 'priorite',
  group: 'groupe',
  assignment: 'affectation',
  sort: 'tri',
  dir: 'ordre',
  page: 'page',
} as const;

export type Query = Record<string, unknown>;

/** A list's query string as express reads one: a parameter given twice (statut) is a list of its values. */
export function queryOf(search: string): Query {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const had = query[k];
    query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return query;
}

export interface ListParams {
  /** The filter without the agent's services, which the caller adds. */
  filter: Omit<RequestFilter, 'groupIds'>;
  page: Page;
  /** The values as given, to fill the search form again. */
  values: Record<string, string>;
  /** Parameters that could not be read, in French; they are ignored. */
  errors: string[];
}

function one(query: Query, name: string): string {
  const v = query[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim().slice(0, 200) : '';
}

function many(query: Query, name: string): string[] {
  const v = query[name];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string => typeof x === 'string' && x !== '').map((x) => x.trim());
}

/** A day `YYYY-MM-DD` in Paris: "from" is its first instant, "to" the first instant of the next day. */
export function parisDay(value: string, end: boolean): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) {
    return undefined;
  }
  const utcMidnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-31 over to March: such a day is not one.
  if (Number.isNaN(utcMidnight) || new Date(utcMidnight).toISOString().slice(0, 10) !== value) {
    return undefined;
  }
  return midnightOf(utcMidnight / DAY + (end ? 1 : 0));
}

/** The criteria taken as they are written: URL parameter → filter field. */
const TEXT_CRITERIA: [string, 'reference' | 'trackingCode' | 'name' | 'email' | 'formTypeSlug' | 'serviceSlug' | 'closingCode'][] = [
  [PARAMS.reference, 'reference'],
  [PARAMS.trackingCode, 'trackingCode'],
  [PARAMS.name, 'name'],
  [PARAMS.email, 'email'],
  [PARAMS.formType, 'formTypeSlug'],
  [PARAMS.service, 'serviceSlug'],
  [PARAMS.closingCode, 'closingCode'],
];

export async function parseListParams(db: Db, query: Query, defaults: { sort: Sort; dir: Direction }): Promise<ListParams> {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  const filter: ListParams['filter'] = {};
  const read = (param: string): string => {
    const v = one(query, param);
    if (v) {
      values[param] = v;
    }
    return v;
  };

  for (const [param, key] of TEXT_CRITERIA) {
    const v = read(param);
    if (v) filter[key] = v;
  }

  const statuses = many(query, PARAMS.status);
  const known = statuses.filter((s): s is Status => (STATUSES as readonly string[]).includes(s));
  if (known.length !== statuses.length) {
    errors.push(t('ui.listParams.badStatus'));
  }
  if (known.length) {
    filter.statuses = known;
    values[PARAMS.status] = known.join(',');
  }

  // Given once per value (the search's boxes) or joined by commas (the list's own links).
  const priorities = many(query, PARAMS.priority).flatMap((v) => v.split(',')).filter(Boolean);
  const knownPriorities = priorities.filter((p): p is Priority => (PRIORITIES as readonly string[]).includes(p));
  if (knownPriorities.length !== priorities.length) {
    errors.push(t('ui.listParams.badPriority'));
  }
  if (knownPriorities.length) {
    filter.priorities = knownPriorities.map(rankOf);
    values[PARAMS.priority] = knownPriorities.join(',');
  }

  const assignee = read(PARAMS.assignee);
  if (assignee === 'personne') {
    filter.assigneeId = null;
  } else if (assignee) {
    const row = await findAgentRowByCode(db, assignee);
    if (row) {
      filter.assigneeId = row.id;
    } else {
      errors.push(t('ui.listParams.badAgent', { value: assignee }));
    }
  }

  const dates: [string, 'submittedFrom' | 'submittedTo' | 'closedFrom' | 'closedTo', boolean][] = [
    [PARAMS.submittedFrom, 'submittedFrom', false],
    [PARAMS.submittedTo, 'submittedTo', true],
    [PARAMS.closedFrom, 'closedFrom', false],
    [PARAMS.closedTo, 'closedTo', true],
  ];
  for (const [param, key, end] of dates) {
    const v = read(param);
    if (!v) continue;
    const at = parisDay(v, end);
    if (at === undefined) {
      errors.push(t('ui.listParams.badDate', { value: v }));
    } else {
      filter[key] = at;
    }
  }

  queueCriteria(read, filter, errors);

  if (read(PARAMS.overdue) === '1') {
    filter.overdue = true;
  }

  const sortValue = read(PARAMS.sort);
  const sort = (SORTS as readonly string[]).includes(sortValue) ? (sortValue as Sort) : defaults.sort;
  const dirValue = read(PARAMS.dir);
  const dir: Direction = dirValue === 'asc' || dirValue === 'desc' ? dirValue : defaults.dir;
  const pageValue = Number(read(PARAMS.page) || '1');
  const page = Number.isInteger(pageValue) && pageValue >= 1 && pageValue <= 100_000 ? pageValue : 1;

  return { filter, page: { sort, dir, page, pageSize: PAGE_SIZE }, values, errors };
}

/** The values of « affectation »: a queue's requests nobody serves yet, or those someone does. */
export const ASSIGNMENTS = { unassigned: 'non-assignes', assigned: 'assignes' } as const;

/** A queue's criteria: one of the agent's groups (an id: the scope still applies), assigned or not. */
function queueCriteria(read: (param: string) => string, filter: ListParams['filter'], errors: string[]): void {
  const group = read(PARAMS.group);
  if (group) {
    if (/^\d{1,9}$/.test(group)) {
      filter.groupId = Number(group);
    } else {
      errors.push(t('ui.listParams.badGroup', { value: group }));
    }
  }
  const assignment = read(PARAMS.assignment);
  if (assignment === ASSIGNMENTS.unassigned) {
    filter.assigneeId = null;
  } else if (assignment === ASSIGNMENTS.assigned) {
    filter.assigned = true;
  } else if (assignment) {
    errors.push(t('ui.listParams.badAssignment', { value: assignment }));
  }
}

/** The same list's URL with some parameters changed (a sort header, a page link); '' removes one. */
export function withParams(path: string, values: Record<string, string>, changes: Record<string, string>): string {
  const merged = { ...values, ...changes };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (!v) continue;
    if (k === PARAMS.status || k === PARAMS.priority) {
      for (const s of v.split(',')) search.append(k, s);
    } else {
      search.set(k, v);
    }
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}
