// Lists and request pages poll here so that an agent learns at once that a colleague
// acted: the answer is the poller itself with a new stamp, and an `HX-Trigger` event
// when the stamp changed (the page then reloads what is stale).
import express from 'express';
import type { Ctx } from '../../commands/context';
import { loadForReading } from '../../commands/context';
import { latestEventAfter, queuesStamp } from '../../db/changes';
import { t } from '../../i18n';
import { renderFragment } from './render';
import { currentAgent } from './session';

/** The latest events of a request written after `version`, by someone else than the agent. */
async function colleagueNews(ctx: Ctx, requestId: number, since: number, agentId: number): Promise<string | null> {
  const event = await latestEventAfter(ctx.db, requestId, since);
  if (!event || event.agent_id === agentId) {
    return null;
  }
  const what = t(`event.${event.type}`);
  return event.name ? t('ui.refresh.byColleague', { name: event.name, what }) : t('ui.refresh.bySystem', { what });
}

export function refreshRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/actualite', async (req, res) => {
    const agent = currentAgent(req);
    const since = typeof req.query.depuis === 'string' ? req.query.depuis : '';
    const reference = typeof req.query.demande === 'string' ? req.query.demande : '';
    let stamp: string;
    let news: string | null = null;
    if (reference) {
      const request = await loadForReading(ctx, agent, reference);
      stamp = String(request.version);
      if (since && stamp !== since) {
        news = await colleagueNews(ctx, request.id, Number(since), agent.id);
      }
    } else {
      stamp = await queuesStamp(ctx.db, agent.groupIds);
    }
    // On a request page, the agent's own actions already redrew the panel: only others' news reloads it.
    if (reference ? news !== null : since !== '' && stamp !== since) {
      res.set('HX-Trigger', reference ? 'requestChanged' : 'requestsChanged');
    }
    res.set('Cache-Control', 'no-store');
    renderFragment(res, 'refreshPoller', { refresh: { stamp, reference, news } });
  });
  return router;
}
