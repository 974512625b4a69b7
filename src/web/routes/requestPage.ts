import express, { type Request, type Response } from 'express';
import { previewCitizenEmail } from '../../commands/citizenEmail';
import { loadForAgent, loadForReading, type Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { markRead } from '../../db/messages';
import { findPersonal, type RequestRow } from '../../db/requests';
import { assign } from '../../commands/assign';
import type { Agent } from '../../db/agents';
import { opensAssign } from '../../db/assignments';
import { requestAfterUpdate } from './updatedRequest';
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

/**
 * Athena's second way: an agent who chose it (« Mon compte ») is assigned an unassigned
 * open request of their groups by opening its page (not by the panel's own refreshes).
 * Only ever to themselves, through the same Update as « S'assigner »: a colleague who was
 * quicker keeps it, and the page shows it as it now stands.
 */
async function assignedOnOpen(ctx: Ctx, agent: Agent, request: RequestRow, refresh: boolean): Promise<RequestRow> {
  if (refresh || !abilities(agent, request).assign || !(await opensAssign(ctx.db, agent.id))) {
    return request;
  }
  try {
    return requestAfterUpdate(ctx.db, agent, await assign(ctx, agent, request.reference));
  } catch (err) {
    // Refused (a colleague was quicker) or unconfirmed: the page shows it as it now stands.
    if (!(err instanceof CommandError)) throw err;
    return loadForAgent(ctx, agent, request.reference);
  }
}

/** After « Fusionner » or « Annuler la fusion », what the page it leads to says. */
function mergeNotice(fusion: unknown): { notice?: string } {
  if (fusion === '1') return { notice: t('merge.doneHere') };
  if (fusion === 'annulee') return { notice: t('merge.undone') };
  return {};
}

export function requestPageRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  // The page, or only its panel when htmx refreshes it.
  router.get('/demandes/:reference', async (req, res) => {
    res.vary('HX-Request');
    const agent = currentAgent(req);
    const request = await assignedOnOpen(ctx, agent, await loadForReading(ctx, agent, req.params.reference), isHtmx(req));
    const model = await panelModel(ctx, agent, request, { ...(req.query.rappel === '1' ? { offerCallback: true } : {}), ...mergeNotice(req.query.fusion) });
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
