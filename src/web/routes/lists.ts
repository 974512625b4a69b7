import express from 'express';
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { searchRequests, type RequestFilter } from '../../db/requestSearch';
import { t } from '../../i18n';
import { OPEN_STATUSES, type Status } from '../../../workflows/definitions';
import { renderPage } from './render';
import { countsOf, RUBRIQUES } from './rubriques';
import { currentAgent } from './session';

const MAX_ROWS = 100;

/** At most MAX_ROWS, newest first; one more is read to know whether some were left out. */
async function tableOf(ctx: Ctx, agent: Agent, filter: Omit<RequestFilter, 'serviceIds'>) {
  const { rows, total } = await searchRequests(ctx.db, { ...filter, serviceIds: agent.serviceIds }, { sort: 'date', dir: 'desc', page: 1, pageSize: MAX_ROWS });
  return { rows, total, truncated: total > rows.length };
}

const STATUS_LINKS: Partial<Record<Status, string>> = {
  NON_TRAITEE: '/demandes/non-traitees',
  EN_ATTENTE: '/demandes/en-attente',
};

export function listRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/', async (req, res) => {
    const agent = currentAgent(req);
    const counts = await countsOf(ctx.db, agent);
    const statuses: Status[] = [...OPEN_STATUSES, 'CLOTUREE'];
    const counters = statuses.map((s) => ({ label: t(`status.${s}`), count: counts.byStatus[s] ?? 0, href: STATUS_LINKS[s] }));
    await renderPage(ctx, req, res, 'home', {
      title: t('ui.rubriques.home.title'),
      counters,
      caption: t('ui.home.mineHeading'),
      empty: t('ui.home.noMine'),
      ...(await tableOf(ctx, agent, { assigneeId: agent.id })),
    });
  });

  for (const rubrique of RUBRIQUES) {
    router.get(`/demandes/${rubrique.slug}`, async (req, res) => {
      const agent = currentAgent(req);
      const title = t(`ui.rubriques.${rubrique.key}.title`);
      await renderPage(ctx, req, res, 'list', {
        title,
        intro: t(`ui.rubriques.${rubrique.key}.intro`),
        caption: title,
        empty: t('ui.table.empty'),
        ...(await tableOf(ctx, agent, rubrique.filter(agent))),
      });
    });
  }
  return router;
}
