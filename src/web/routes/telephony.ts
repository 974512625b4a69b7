// The call panel's routes: its poller (every agent page, every second: 204 while nothing
// changed; a POST, since it notes the request page the agent is on), the choice of the request an ended call is recorded on, its wrap-up, closing it.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { closeCallPanel, wrapUpCall } from '../../commands/closeCallPanel';
import { recordPhoneCall } from '../../commands/recordPhoneCall';
import { parseInput, phoneRequestSchema } from '../../commands/schemas';
import { findRequestById } from '../../db/requests';
import { t } from '../../i18n';
import { logCallForm, text } from './forms';
import { panelChanged, phonePanelFor, type PhonePanel } from './phonePanel';
import { isHtmx, renderFragment } from './render';
import { currentAgent } from './session';

/** The page the poller runs in: a call answered on a request's page is recorded there. */
const pagePath = (req: Request) => {
  try {
    return new URL(req.get('HX-Current-URL') ?? '/', 'http://guichet').pathname;
  } catch {
    return '/';
  }
};

const callIdOf = (req: Request) => {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw CommandError.of(404, 'PHONE_CALL_NOT_FOUND');
  return id;
};

export function telephonyRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const panel = async (req: Request, res: Response, extra: Partial<PhonePanel> = {}) => {
    renderFragment(res, 'phonePanel', { ...(await phonePanelFor(ctx, currentAgent(req), pagePath(req))), ...extra });
  };

  router.post('/telephonie/panneau', async (req, res) => {
    const stamp = typeof req.body?.etat === 'string' ? req.body.etat : '';
    if (!(await panelChanged(ctx, currentAgent(req), stamp, pagePath(req)))) {
      res.status(204).end();
      return;
    }
    await panel(req, res);
  });

  /** An action on the panel: htmx gets the panel again (with what happened), a plain form post the home page. */
  const act = (run: (req: Request) => Promise<string>) => async (req: Request, res: Response) => {
    try {
      const notice = await run(req);
      if (!isHtmx(req)) {
        req.session.flash = { kind: 'success', message: notice };
        res.redirect(303, '/');
        return;
      }
      await panel(req, res, { notice });
    } catch (err) {
      if (!(err instanceof CommandError) || !isHtmx(req)) throw err;
      res.status(err.status);
      await panel(req, res, { error: err.message });
    }
  };

  router.post('/telephonie/appels/:id/demande', act(async (req) => {
    const chosen = text(req.body, 'reference', 64) || text(req.body, 'autre', 64);
    const { reference } = parseInput(phoneRequestSchema, { reference: chosen });
    const { request } = await recordPhoneCall(ctx, currentAgent(req), callIdOf(req), reference.toUpperCase());
    return t('ui.telephony.recorded', { reference: request.reference });
  }));

  router.post('/telephonie/appels/:id/qualification', act(async (req) => {
    const reference = await wrapUpCall(ctx, currentAgent(req), callIdOf(req), logCallForm(req.body), async (id) => (await findRequestById(ctx.db, id))?.reference);
    return t('ui.telephony.wrappedUp', { reference });
  }));

  router.post('/telephonie/appels/:id/fermer', act(async (req) => {
    await closeCallPanel(ctx, currentAgent(req), callIdOf(req));
    return t('ui.telephony.closed');
  }));
  return router;
}
