import express, { type Request, type Response } from 'express';
import { annotate } from '../../commands/annotate';
import { assign } from '../../commands/assign';
import { release } from '../../commands/release';
import { close } from '../../commands/close';
import { consult } from '../../commands/consult';
import { loadForAgent, type Ctx, type UpdateOutcome } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { hold } from '../../commands/hold';
import { prioritize } from '../../commands/prioritize';
import { reassign } from '../../commands/reassign';
import { resume } from '../../commands/resume';
import { take } from '../../commands/take';
import { transfer } from '../../commands/transfer';
import { can } from '../../policies';
import type { Agent } from '../../db/agents';
import type { RequestRow } from '../../db/requests';
import { t } from '../../i18n';
import type { Action } from '../../../workflows/lifecycle';
import { writeMessage } from '../../commands/writeMessage';
import { cancelCallback, moveCallback, planCallback } from '../../commands/callbacks';
import { logCall } from '../../commands/logCall';
import {
  annotateForm, callbackForm, callbackIdOf, closeForm, consultForm, holdForm, logCallForm, messageForm, moveCallbackForm, prioritizeForm, reassignForm, takeForm, transferForm,
} from './forms';
import { isHtmx, renderFragment } from './render';
import { messageUploads } from '../uploads';
import { panelModel, type PanelMessages } from './requestPanel';
import { renderRefusal } from './requestPage';
import { currentAgent } from './session';
import { requestAfterUpdate } from './updatedRequest';
import { messageDraftOf } from './cannedReplyPicker';
import { countAction } from '../../ops/metrics';

const referenceOf = (req: Request): string => String(req.params.reference);

type Run = (ctx: Ctx, agent: Agent, reference: string, req: Request) => Promise<unknown>;
/** The actions of the request page: the lifecycle's, a message, and what is done to one callback. */
type PageAction = Action | 'message' | 'moveCallback' | 'cancelCallback';

/** Each action: its form parsed into the command's props, then the command. */
const RUNS: Record<PageAction, Run> = {
  message: (ctx, agent, ref, req) => writeMessage(ctx, agent, ref, { ...messageForm(req.body), uploads: messageUploads(req) }),
  take: (ctx, agent, ref, req) => take(ctx, agent, ref, takeForm(req.body)),
  hold: (ctx, agent, ref, req) => hold(ctx, agent, ref, holdForm(req.body)),
  resume: (ctx, agent, ref) => resume(ctx, agent, ref),
  reassign: (ctx, agent, ref, req) => reassign(ctx, agent, ref, reassignForm(req.body)),
  annotate: (ctx, agent, ref, req) => annotate(ctx, agent, ref, annotateForm(req.body)),
  prioritize: (ctx, agent, ref, req) => prioritize(ctx, agent, ref, prioritizeForm(req.body)),
  transfer: (ctx, agent, ref, req) => transfer(ctx, agent, ref, transferForm(req.body)),
  consult: (ctx, agent, ref, req) => consult(ctx, agent, ref, consultForm(req.body)),
  callback: (ctx, agent, ref, req) => planCallback(ctx, agent, ref, callbackForm(req.body)),
  moveCallback: (ctx, agent, ref, req) => moveCallback(ctx, agent, ref, callbackIdOf(req.body), moveCallbackForm(req.body)),
  cancelCallback: (ctx, agent, ref, req) => cancelCallback(ctx, agent, ref, callbackIdOf(req.body)),
  logCall: (ctx, agent, ref, req) => logCall(ctx, agent, ref, logCallForm(req.body)),
  close: (ctx, agent, ref, req) => close(ctx, agent, ref, closeForm(req.body)),
  assign: (ctx, agent, ref) => assign(ctx, agent, ref),
  release: (ctx, agent, ref) => release(ctx, agent, ref),
};

/** What an action leaves for the answer: the messages, and the Update's outcome when there was one. */
interface Attempt {
  status: number;
  messages: PanelMessages;
  updated: UpdateOutcome | null;
}

const isUpdateOutcome = (result: unknown): result is UpdateOutcome =>
  typeof result === 'object' && result !== null && 'request' in result && 'state' in result;

/** « Pas de réponse »: the panel comes back with the callback form open, prefilled. */
const offersCallback = (result: unknown): boolean =>
  typeof result === 'object' && result !== null && (result as { offerCallback?: boolean }).offerCallback === true;

async function attempt(ctx: Ctx, req: Request, action: PageAction): Promise<Attempt | CommandError> {
  try {
    const result = await countAction(action, 'web', () => RUNS[action](ctx, currentAgent(req), referenceOf(req), req));
    const messages: PanelMessages = { notice: t(`ui.actions.${action}.done`), ...(offersCallback(result) ? { offerCallback: true } : {}) };
    return { status: 200, messages, updated: isUpdateOutcome(result) ? result : null };
  } catch (err) {
    if (!(err instanceof CommandError)) {
      throw err;
    }
    // Not the agent's request at all: there is no panel to show the reason in.
    if (err.status === 403 || err.status === 404) {
      return err;
    }
    // A refused message comes back in its textarea, to be corrected rather than typed again.
    const draft = action === 'message' ? { messageDraft: messageDraftOf(req.body) } : {};
    return { status: err.status, messages: { alert: err.message, ...draft }, updated: null };
  }
}

/**
 * The panel after the action. An accepted Update answered with its state: drawn from it,
 * without loading or authorizing the request again (unless it left the agent's groups).
 * A message (no Update of its own) and a refusal (the panel was often stale: someone else
 * acted) show the request as it now stands.
 */
async function respond(ctx: Ctx, req: Request, res: Response, action: PageAction): Promise<void> {
  res.vary('HX-Request');
  const outcome = await attempt(ctx, req, action);
  if (outcome instanceof CommandError) {
    await renderRefusal(ctx, req, res, outcome);
    return;
  }
  const agent = currentAgent(req);
  const reference = referenceOf(req);
  const moved = outcome.updated ? await requestAfterUpdate(ctx.db, agent, outcome.updated) : null;
  if (moved && !can(agent, 'read', moved)) {
    leaveRequest(req, res, moved);
    return;
  }
  if (!isHtmx(req)) {
    const { alert, notice } = outcome.messages;
    req.session.flash = alert ? { kind: 'error', message: alert } : { kind: 'success', message: notice ?? '' };
    // Without JavaScript too, « Pas de réponse » opens the callback form.
    res.redirect(303, `/demandes/${encodeURIComponent(reference)}${outcome.messages.offerCallback ? '?rappel=1#rappel' : ''}`);
    return;
  }
  const request = moved ?? await loadForAgent(ctx, agent, reference);
  // The nav's counters listen for this event.
  res.status(outcome.status).set('HX-Trigger', 'requestUpdated');
  renderFragment(res, 'requestPanel', { ...(await panelModel(ctx, agent, request, outcome.messages)), focus: true });
}

/**
 * The request left the agent's groups (transferred to another group's queue): there is no
 * panel to show any more. Back to the home page, saying where it went.
 */
function leaveRequest(req: Request, res: Response, request: RequestRow): void {
  req.session.flash = { kind: 'success', message: t('ui.actions.transfer.doneElsewhere', { reference: request.reference, group: request.group_name ?? '' }) };
  if (isHtmx(req)) {
    // The message stored before htmx goes to the home page (as a redirect does: src/web/sessionRedirects.ts).
    req.session.save(() => res.set('HX-Redirect', '/').status(200).end());
    return;
  }
  res.redirect(303, '/');
}

export function actionRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  for (const action of Object.keys(RUNS) as PageAction[]) {
    router.post(`/demandes/:reference/${action}`, (req, res) => respond(ctx, req, res, action));
  }
  return router;
}
