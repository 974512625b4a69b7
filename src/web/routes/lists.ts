import express, { type Request } from 'express';
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import type { Db } from '../../db/connection';
import { countRequestsCapped, searchRequests } from '../../db/requestSearch';
import { filterChoices } from '../../db/views';
import { t } from '../../i18n';
import { can } from '../../policies';
import { PRIORITIES, STATUSES, type Status } from '../../../workflows/definitions';
import { ASSIGNMENTS, PARAMS, withParams, type Query } from '../listParams';
import { queueCounts } from '../../db/queues';
import { listModel, rowModel } from './listModel';
import { renderPage, renderPageOrPart } from './render';
import { hasCriteria, listSpecOf, SEARCH_VIEW } from './listSpecs';
import { CLOSED_BY_ME_VIEW, countsOf, QUEUE_VIEW, RUBRIQUES } from './rubriques';
import { currentAgent } from './session';
import { helpers } from '../viewHelpers';

const HOME_ROWS = 10;

const STATUS_LINKS: Partial<Record<Status, string>> = {
  NON_TRAITEE: '/demandes/non-traitees',
  EN_ATTENTE: '/demandes/en-attente',
  CLOTUREE: '/journal',
};

/** The options of the filter forms, each marked when the URL selects it. */
export async function choicesModel(ctx: Ctx, agent: Agent, selected: Record<string, string> | Promise<Record<string, string>>) {
  // The choices are read while the list's own queries run: they do not depend on its criteria.
  const [c, values] = await Promise.all([filterChoices(ctx.db, agent.serviceIds), selected]);
  const statuses = (values[PARAMS.status] ?? '').split(',');
  const priorities = (values[PARAMS.priority] ?? '').split(',');
  return {
    services: c.services.map((s) => ({ value: s.slug, label: s.name, selected: values[PARAMS.service] === s.slug })),
    formTypes: c.formTypes.map((f) => ({ value: f.slug, label: f.title, selected: values[PARAMS.formType] === f.slug })),
    agents: [
      { value: 'personne', label: t('ui.list.nobody'), selected: values[PARAMS.assignee] === 'personne' },
      ...c.agents.map((a) => ({ value: a.code, label: a.name, selected: values[PARAMS.assignee] === a.code })),
    ],
    statuses: STATUSES.map((s) => ({ value: s, label: t(`status.${s}`), selected: statuses.includes(s) })),
    closingCodes: c.closingCodes.map((k) => ({ value: k.code, label: k.label, selected: values[PARAMS.closingCode] === k.code })),
    overdue: values[PARAMS.overdue] === '1',
    priorities: PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`), selected: priorities.includes(p) })),
  };
}

/**
 * The queue's counts, group by group, each a link to its unassigned and assigned requests;
 * the group filter's choices when the agent has several queues.
 */
async function queuesModel(ctx: Ctx, agent: Agent, selected: Promise<Record<string, string>>) {
  const [queues, values] = await Promise.all([queueCounts(ctx.db, agent.groupIds), selected]);
  const link = (groupId: number, assignment: string) => withParams(`/demandes/${QUEUE_VIEW}`, {}, { [PARAMS.group]: String(groupId), [PARAMS.assignment]: assignment });
  return {
    rows: queues.map((q) => ({
      ...q,
      unassignedHref: link(q.groupId, ASSIGNMENTS.unassigned),
      assignedHref: link(q.groupId, ASSIGNMENTS.assigned),
    })),
    groups: queues.length > 1 ? queues.map((q) => ({ value: q.groupId, label: q.name, selected: values[PARAMS.group] === String(q.groupId) })) : null,
    assignments: Object.values(ASSIGNMENTS).map((a) => ({ value: a, label: t(`ui.queues.assignment.${a}`), selected: values[PARAMS.assignment] === a })),
  };
}

/** A short list of the home page: its first rows and a link to all of them. */
async function homeBlock(db: Db, filter: Parameters<typeof searchRequests>[1], sort: 'date' | 'due', more: string) {
  const { rows, total } = await searchRequests(db, filter, { sort, dir: 'asc', page: 1, pageSize: HOME_ROWS });
  const now = Date.now();
  return {
    rows: rows.map((r) => rowModel(r, now)),
    total,
    more: total > rows.length ? { href: more, label: helpers.countText('ui.home.seeAll', total) } : null,
  };
}

/** The home page's counters and short lists (the bench times these same queries beside the page). */
export async function homeModel(db: Db, agent: Agent) {
  const scope = { groupIds: agent.groupIds };
  const [counts, mine, overdue, deletions] = await Promise.all([
    countsOf(db, agent),
    homeBlock(db, { ...scope, assigneeId: agent.id }, 'due', `/recherche?${PARAMS.assignee}=${encodeURIComponent(agent.code)}`),
    homeBlock(db, { ...scope, overdue: true }, 'due', `/recherche?${PARAMS.overdue}=1`),
    homeBlock(db, { ...scope, statuses: ['NON_TRAITEE'] }, 'due', `/demandes/non-traitees?${PARAMS.sort}=due&${PARAMS.dir}=asc`),
  ]);
  const counters = STATUSES.map((s) => ({ label: t(`status.${s}`), count: counts.byStatus[s] ?? 0, href: STATUS_LINKS[s] }));
  counters.splice(1, 0, { label: t('ui.home.mineInProgress'), count: counts.mineInProgress, href: '/demandes/en-cours' });
  if (counts.contactCentre) {
    // A contact-centre agent serves themselves from the queue first.
    const unassigned = await countRequestsCapped(db, { ...scope, assigneeId: null });
    counters.unshift({ label: t('ui.queues.unassignedHome'), count: unassigned, href: `/demandes/${QUEUE_VIEW}?${PARAMS.assignment}=${ASSIGNMENTS.unassigned}` });
  }
  return { counters, mine, overdue, deletions };
}

/**
 * What the bulk bar shows again after a refused or not yet confirmed submission: the ticks,
 * the chosen action and its fields, and the reason or the confirmation to give.
 */
export interface BulkState {
  ids: number[];
  all: boolean;
  action: string;
  closingCode: string;
  agent: string;
  notify: boolean;
  /** the refusal, in French, and the field it is about */
  error?: { message: string; field?: string };
  /** a bulk close waits for this confirmation: how many requests it closes, in words */
  confirm?: { count: number; title: string; text: string; submit: string };
}

/** The page of a named list (rubrique or search): its view, the parts htmx replaces, its words. */
function listPage(view: string, query: Query): { page: string; parts: Record<string, string>; extra: Record<string, unknown> } | null {
  const rubrique = RUBRIQUES.find((r) => r.slug === view);
  if (rubrique) {
    const title = t(`ui.rubriques.${rubrique.key}.title`);
    return {
      page: 'list',
      parts: { 'list-region': 'listRegion' },
      extra: {
        title,
        caption: title,
        empty: t('ui.table.empty'),
        intro: t(`ui.rubriques.${rubrique.key}.intro`),
        showStatusFilter: ['du-service', QUEUE_VIEW, 'mes-dossiers'].includes(rubrique.slug),
        showAssigneeFilter: !['en-cours', 'mes-dossiers', CLOSED_BY_ME_VIEW].includes(rubrique.slug),
        showQueueFilters: rubrique.slug === QUEUE_VIEW,
        showReferenceFilter: Boolean(rubrique.closed),
        closedList: Boolean(rubrique.closed),
        // Straight to the rows, past the header, the nav and the filters (the keyboard's way to the third request).
        skipLinks: [{ href: '#liste', label: t('ui.list.skipToList') }],
      },
    };
  }
  if (view === SEARCH_VIEW) {
    // The search form replaces the results; sorting, paging and the refresh the list in them.
    return {
      page: 'search',
      parts: { 'search-results': 'searchResults', 'list-region': 'listRegion' },
      extra: {
        title: t('ui.search.title'), caption: t('ui.search.results'), empty: t('ui.search.noResult'), searched: hasCriteria(query),
        skipLinks: [{ href: '#search-results', label: t('ui.search.skipToResults') }],
      },
    };
  }
  return null;
}

/**
 * A list page (or its region alone to htmx: filters, sorting, paging, refresh). After a
 * bulk submission it is shown again as the agent left it, with `bulk`; false when the view is unknown.
 */
export async function renderListView(ctx: Ctx, req: Request, res: express.Response, view: string, query: Query, bulk?: BulkState): Promise<boolean> {
  const agent = currentAgent(req);
  const spec = listSpecOf(view, agent, query);
  const page = listPage(view, query);
  if (!spec || !page) {
    return false;
  }
  const listed = listModel(ctx, query, agent, spec);
  const values = listed.then((m) => m.values);
  const [model, queues, choices] = await Promise.all([
    listed,
    view === QUEUE_VIEW ? queuesModel(ctx, agent, values) : null,
    // The bulk bar of the region offers the closing codes and the agents of the filters.
    choicesModel(ctx, agent, values),
  ]);
  const ticked = new Set(bulk?.ids ?? []);
  await renderPageOrPart(ctx, req, res, page.page, page.parts, {
    ...page.extra,
    ...model,
    queues,
    rows: model.rows.map((r) => ({ ...r, checked: ticked.has(r.id) })),
    bulk,
    navPath: spec.path,
    offerNext: nextOffer(agent, req.originalUrl),
    choices,
  });
  return true;
}

/** « Traiter la suivante » above the lists, for an available agent; back to the page when nothing waits. */
const nextOffer = (agent: Agent, retour: string) => (can(agent, 'next') ? { retour } : null);

export function listRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/', async (req, res) => {
    const agent = currentAgent(req);
    await renderPage(ctx, req, res, 'home', { title: t('ui.rubriques.home.title'), ...(await homeModel(ctx.db, agent)), offerNext: nextOffer(agent, '/') });
  });

  for (const rubrique of RUBRIQUES) {
    router.get(`/demandes/${rubrique.slug}`, async (req, res) => {
      await renderListView(ctx, req, res, rubrique.slug, req.query as Query);
    });
  }

  router.get('/recherche', async (req, res) => {
    await renderListView(ctx, req, res, SEARCH_VIEW, req.query as Query);
  });
  return router;
}
