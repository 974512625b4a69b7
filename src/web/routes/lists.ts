import express, { type Request } from 'express';
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { searchRequests } from '../../db/requestSearch';
import { filterChoices } from '../../db/views';
import { t } from '../../i18n';
import { STATUSES, type Status } from '../../../workflows/definitions';
import { PARAMS } from '../listParams';
import { listModel, rowModel, type ListSpec } from './listModel';
import { renderPage, renderPageOrPart } from './render';
import { hasCriteria, listSpecOf, SEARCH_VIEW } from './listSpecs';
import { countsOf, RUBRIQUES } from './rubriques';
import { currentAgent } from './session';

const HOME_ROWS = 10;

const STATUS_LINKS: Partial<Record<Status, string>> = {
  NON_TRAITEE: '/demandes/non-traitees',
  EN_ATTENTE: '/demandes/en-attente',
  CLOTUREE: '/journal',
};

/** The options of the filter forms, each marked when the URL selects it. */
export async function choicesModel(ctx: Ctx, agent: Agent, values: Record<string, string>) {
  const c = await filterChoices(ctx.db, agent.serviceIds);
  const statuses = (values[PARAMS.status] ?? '').split(',');
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
  };
}

/** A short list of the home page: its first rows and a link to all of them. */
async function homeBlock(ctx: Ctx, agent: Agent, filter: Parameters<typeof searchRequests>[1], sort: 'date' | 'due', more: string) {
  const { rows, total } = await searchRequests(ctx.db, filter, { sort, dir: 'asc', page: 1, pageSize: HOME_ROWS });
  const now = Date.now();
  return {
    rows: rows.map((r) => rowModel(r, now)),
    total,
    more: total > rows.length ? { href: more, label: t('ui.home.seeAll', { count: total }) } : null,
  };
}

/** The list region alone to htmx (filters, sorting, paging, refresh), the page otherwise. */
async function renderList(ctx: Ctx, req: Request, res: express.Response, view: string, parts: Record<string, string>, spec: ListSpec, extra: Record<string, unknown>) {
  const agent = currentAgent(req);
  const model = await listModel(ctx, req, agent, spec);
  // The bulk bar of the region offers the closing codes and the agents of the filters.
  await renderPageOrPart(ctx, req, res, view, parts, { ...extra, ...model, choices: await choicesModel(ctx, agent, model.values) });
}

export function listRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/', async (req, res) => {
    const agent = currentAgent(req);
    const scope = { serviceIds: agent.serviceIds };
    const [counts, mine, overdue, deletions] = await Promise.all([
      countsOf(ctx.db, agent),
      homeBlock(ctx, agent, { ...scope, assigneeId: agent.id }, 'due', `/recherche?${PARAMS.assignee}=${encodeURIComponent(agent.code)}`),
      homeBlock(ctx, agent, { ...scope, overdue: true }, 'due', `/recherche?${PARAMS.overdue}=1`),
      homeBlock(ctx, agent, { ...scope, statuses: ['NON_TRAITEE'] }, 'due', `/demandes/non-traitees?${PARAMS.sort}=due&${PARAMS.dir}=asc`),
    ]);
    const counters = STATUSES.map((s) => ({ label: t(`status.${s}`), count: counts.byStatus[s] ?? 0, href: STATUS_LINKS[s] }));
    counters.splice(1, 0, { label: t('ui.home.mineInProgress'), count: counts.mineInProgress, href: '/demandes/en-cours' });
    await renderPage(ctx, req, res, 'home', { title: t('ui.rubriques.home.title'), counters, mine, overdue, deletions });
  });

  for (const rubrique of RUBRIQUES) {
    const path = `/demandes/${rubrique.slug}`;
    router.get(path, async (req, res) => {
      const agent = currentAgent(req);
      const title = t(`ui.rubriques.${rubrique.key}.title`);
      await renderList(ctx, req, res, 'list', { 'list-region': 'listRegion' }, listSpecOf(rubrique.slug, agent, req.query as Record<string, unknown>)!, {
        title,
        caption: title,
        empty: t('ui.table.empty'),
        intro: t(`ui.rubriques.${rubrique.key}.intro`),
        showStatusFilter: rubrique.slug === 'du-service',
        showAssigneeFilter: rubrique.slug !== 'en-cours',
      });
    });
  }

  router.get('/recherche', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    // The search form replaces the results; sorting, paging and the refresh the list in them.
    await renderList(ctx, req, res, 'search', { 'search-results': 'searchResults', 'list-region': 'listRegion' }, listSpecOf(SEARCH_VIEW, currentAgent(req), query)!, {
      title: t('ui.search.title'),
      caption: t('ui.search.results'),
      empty: t('ui.search.noResult'),
      searched: hasCriteria(query),
    });
  });
  return router;
}
