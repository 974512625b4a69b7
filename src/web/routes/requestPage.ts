import express, { type Request, type Response } from 'express';
import { previewCitizenEmail } from '../../commands/citizenEmail';
import { loadForAgent, loadForReading, type Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { markRead } from '../../db/messages';
import { findPersonal } from '../../db/requests';
import { isChoosableClosingCode } from '../../db/views';
import { t } from '../../i18n';
import { abilities } from '../../policies';
import { text } from './forms';
import { isHtmx, renderFragment, renderPage } from './render';
import { originOf } from './requestOrigin';
import { panelModel } from './requestPanel';
import { currentAgent } from './session';

/** A refusal to show a request at all (unknown, or another service's): a French page or fragment. */
export async function renderRefusal(ctx: Ctx, req: Request, res: Response, err: CommandError): Promise<void> {
  res.status(err.status);
  if (isHtmx(req)) {
    renderFragment(res, 'refusal', { message: err.message });
    return;
  }
  await renderPage(ctx, req, res, 'error', { title: t('ui.errorPage.title'), message: err.message });
}

export function requestPageRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  // The page, or only its panel when htmx refreshes it.
  router.get('/demandes/:reference', async (req, res) => {
    res.vary('HX-Request');
    const agent = currentAgent(req);
    const request = await loadForReading(ctx, agent, req.params.reference);
    const model = await panelModel(ctx, agent, request, req.query.rappel === '1' ? { offerCallback: true } : {});
    if (isHtmx(req)) {
      renderFragment(res, 'requestPanel', model);
      return;
    }
    await renderPage(ctx, req, res, 'request', {
      title: t('ui.request.heading', { reference: request.reference }),
      ...model,
      origin: await originOf(ctx, agent, request, req.query.depuis),
      refresh: { stamp: String(request.version), reference: request.reference },
    });
  });

  // The panel, once shown, says the agent has read the citizen's new messages (hx-post on
  // load, with the CSRF token): a GET changes nothing, so that another site's link or
  // image cannot clear the marker.
  router.post('/demandes/:reference/lu', async (req, res) => {
    const request = await loadForAgent(ctx, currentAgent(req), req.params.reference);
    await markRead(ctx.db, request.id);
    res.status(204).end();
  });

  // The e-mail list alone, refreshed while an e-mail is on its way.
  router.get('/demandes/:reference/courriels', async (req, res) => {
    const agent = currentAgent(req);
    const request = await loadForReading(ctx, agent, req.params.reference);
    const model = await panelModel(ctx, agent, request);
    renderFragment(res, 'requestEmails', model);
  });

  // The closing e-mail depends on the closing code: prefilled anew when the code changes.
  router.get('/demandes/:reference/close-email', async (req, res) => {
    const agent = currentAgent(req);
    const request = await loadForAgent(ctx, agent, req.params.reference);
    const code = text(req.query, 'closingCode', 64);
    const known = await isChoosableClosingCode(ctx.db, code);
    const personal = await findPersonal(ctx.db, request.id);
    const offered = abilities(agent, request).close && Boolean(personal?.email) && known;
    const email = offered ? await previewCitizenEmail(ctx, request, 'CLOSING', agent, code) : null;
    renderFragment(res, 'actions/emailFields', { prefix: 'close', email, hint: t('ui.actions.close.chooseCode') });
  });

  return router;
}
