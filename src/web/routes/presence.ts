import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { setOwnPresence } from '../../commands/setPresence';
import { frenchDate, parisIsoDay } from '../../dates';
import { teamOf } from '../../db/presence';
import { groupIdsByCode } from '../../db/assignments';
import { can } from '../../policies';
import { serviceNamesOf } from '../../db/services';
import { t } from '../../i18n';
import { presenceForm, text } from './forms';
import { presenceControl, presenceLabel } from './presenceControl';
import { isHtmx, renderFragment, renderPage } from './render';
import { currentAgent, safeReturn } from './session';

/** The presence control of every page's header posts here; « Équipe » shows my colleagues'. */
export function presenceRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  // Without JS: a form post, then back to the page the agent was on. With htmx: only the control is swapped.
  router.post('/presence', async (req: Request, res: Response) => {
    const agent = currentAgent(req);
    const retour = safeReturn(text(req.body, 'retour', 2000));
    let message: { kind: 'success' | 'error'; message: string };
    let presence = agent.presence;
    try {
      ({ presence } = await setOwnPresence(ctx, agent, presenceForm(req.body)));
      message = { kind: 'success', message: t('ui.presence.saved', { presence: presenceLabel(presence) }) };
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      res.status(err.status);
      message = { kind: 'error', message: err.message };
    }
    if (isHtmx(req)) {
      renderFragment(res, 'presenceControl', { ...presenceControl(presence, retour), message });
      return;
    }
    req.session.flash = message;
    res.redirect(303, retour);
  });

  router.get('/equipe', async (req, res) => {
    const agent = currentAgent(req);
    const services = await serviceNamesOf(ctx.db, agent.serviceIds);
    const today = parisIsoDay(Date.now());
    const team = await teamOf(ctx.db, agent.serviceIds);
    const groups = await groupIdsByCode(ctx.db, team.map((m) => m.code));
    const members = team.map((m) => ({
      ...m,
      label: presenceLabel(m.presence),
      // Today's hour alone (« 09:15 »), an earlier day with its date: the column stays narrow on a phone.
      sinceText: frenchDate(m.since, parisIsoDay(m.since) === today ? 'time' : 'short'),
      sinceIso: new Date(m.since).toISOString(),
      me: m.code === agent.code,
      // A dispatcher or supervisor of their groups, or an administrator, may release an absent colleague's requests.
      releasable: m.code !== agent.code && can(agent, 'releaseAllOf', { id: -1, groupIds: groups.get(m.code) ?? [] }),
    }));
    await renderPage(ctx, req, res, 'team', { title: t('ui.team.title'), services, members, anyReleasable: members.some((m) => m.releasable) });
  });
  return router;
}
