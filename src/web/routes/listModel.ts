// What a list page shows, from its URL: the rows of the page, the sort headers, the
// pagination, the filter values and the links to the exports. The views (rubriques),
// the search and the home page's short lists all build it here.
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { searchRequests, type Direction, type NamedRequest, type RequestFilter, type Sort } from '../../db/requestSearch';
import { COUNT_CAP, isMore } from '../../db/cappedCount';
import { t } from '../../i18n';
import { PARAMS, parseListParams, withParams, type Query } from '../listParams';

/** The columns that sort, in table order (label key under ui.table). */
export type SortColumn = { sort: Sort; key: string };
// What agents look for first, after the reference: whose, what, where it stands and how urgent, by when.
const SORTABLE: SortColumn[] = [
  { sort: 'name', key: 'citizen' },
  { sort: 'formType', key: 'formType' },
  { sort: 'status', key: 'status' },
  { sort: 'priority', key: 'priority' },
  { sort: 'due', key: 'due' },
  { sort: 'assignee', key: 'assignee' },
  // the queue it waits in
  { sort: 'group', key: 'group' },
  { sort: 'date', key: 'submittedAt' },
];

export interface ListSpec {
  /** rubrique slug, 'recherche' or 'accueil': names the exports and the bulk actions' list */
  view: string;
  path: string;
  /** what the view always shows; it wins over the URL's criteria */
  fixed: Omit<RequestFilter, 'groupIds'>;
  defaultSort: { sort: Sort; dir: Direction };
  /** the sortable columns, when not those of the views */
  columns?: SortColumn[];
}

const DAY = 24 * 3600 * 1000;

/** The queue's column, for an agent of several queues (of one, it would say the same on every row). */
export const showsGroup = (agent: Agent): boolean => agent.groupIds.length > 1;

/** A row as the tables show it: its due date, what falls due then, and whether it is late. */
export function rowModel(r: NamedRequest, now: number) {
  const due = r.due_at === null || r.due_at === undefined ? null : Number(r.due_at);
  return {
    ...r,
    due_at: due,
    overdue: Boolean(Number(r.overdue)),
    dueKind: r.status === 'NON_TRAITEE' ? 'deletion' : r.status === 'EN_COURS' ? 'reminder' : r.status === 'EN_ATTENTE' ? 'holdEnd' : null,
    daysLeft: due === null ? null : Math.ceil((due - now) / DAY),
  };
}

/**
 * The page links. Past the count's cap the number of pages is unknown: the label says
 * « sur plus de 100 », a next page is offered while this one is full, and there is no last.
 */
function pagination(path: string, values: Record<string, string>, page: number, pages: number, more: { capped: boolean; full: boolean }) {
  if (pages <= 1 && !(more.capped && more.full)) {
    return null;
  }
  const link = (p: number) => withParams(path, values, { [PARAMS.page]: p === 1 ? '' : String(p) });
  return {
    label: more.capped ? t('ui.list.pageOfMore', { page, pages }) : t('ui.list.pageOf', { page, pages }),
    prev: page > 1 ? link(page - 1) : null,
    next: page < pages || (more.capped && more.full) ? link(page + 1) : null,
    first: page > 2 ? link(1) : null,
    last: !more.capped && page < pages - 1 ? link(pages) : null,
  };
}

function sortHeaders(columns: SortColumn[], path: string, values: Record<string, string>, sort: Sort, dir: Direction) {
  return columns.map((c) => {
    const active = c.sort === sort;
    const nextDir: Direction = active && dir === 'asc' ? 'desc' : 'asc';
    return {
      label: t(`ui.table.${c.key}`),
      href: withParams(path, values, { [PARAMS.sort]: c.sort, [PARAMS.dir]: nextDir, [PARAMS.page]: '' }),
      ariaSort: active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none',
      active,
      arrow: active ? (dir === 'asc' ? '▲' : '▼') : '',
    };
  });
}

export async function listModel(ctx: Ctx, query: Query, agent: Agent, spec: ListSpec) {
  const now = Date.now();
  const params = await parseListParams(ctx.db, query, spec.defaultSort);
  const filter: RequestFilter = { ...params.filter, ...spec.fixed, groupIds: agent.groupIds };
  const { rows, total } = await searchRequests(ctx.db, filter, params.page, now);
  const capped = isMore(total);
  // Past the cap, the pages the cap holds (100), and the one asked for when it is further.
  const pages = Math.max(1, Math.ceil(Math.min(total, COUNT_CAP) / params.page.pageSize));
  const { [PARAMS.page]: _page, ...withoutPage } = params.values;
  const kept = new URL(withParams('/', withoutPage, {}), 'http://x').search.slice(1);
  return {
    rows: rows.map((r) => rowModel(r, now)),
    total,
    values: params.values,
    errors: params.errors,
    headers: sortHeaders((spec.columns ?? SORTABLE).filter((c) => c.sort !== 'group' || showsGroup(agent)), spec.path, params.values, params.page.sort, params.page.dir),
    showGroup: showsGroup(agent),
    pagination: pagination(spec.path, params.values, capped ? params.page.page : Math.min(params.page.page, pages), pages, { capped, full: rows.length === params.page.pageSize }),
    list: { path: spec.path, query: kept, total, shown: rows.length, view: spec.view },
    exports: {
      csv: `/exports/${spec.view}.csv${kept ? `?${kept}` : ''}`,
      xlsx: `/exports/${spec.view}.xlsx${kept ? `?${kept}` : ''}`,
    },
  };
}
