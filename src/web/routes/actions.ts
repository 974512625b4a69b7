import express, { type Request, type Response } from 'express';
import { annotate } from '../../commands/annotate';
import { assign } from '../../commands/assign';
import { release } from '../../commands/release';
import { close } from '../../commands/close';
import { loadForAgent, type Ctx, type UpdateOutcome } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { hold } from '../../commands/hold';
import { prioritize } from '../../commands/prioritize';
import { reassign } from '../../commands/reassign';
import { resume } from '../../commands/resume';
import { take } from '../../commands/take';
import type { Agent } from '../../db/agents';
import type { RequestRow } from '../../db/requests';
import { t } from '../../i18n';
import type { Action } from '../../../workflows/lifecycle';
import { writeMessage } from '../../commands/writeMessage';
import { annotateForm, closeForm, holdForm, messageForm, prioritizeForm, reassignForm, takeForm } from './forms';
import { isHtmx, renderFragment } from './render';
import { messageUploads } from '../uploads';
import { panelModel, type PanelMessages } from './requestPanel';
import { renderRefusal } from './requestPage';
import { currentAgent } from './session';
import { requestAfterUpdate } from './updatedRequest';

const referenceOf = (req: Request): string => String(req.params.reference);

type Run = (ctx: Ctx, agent: Agent, reference: string, req: Request) => Promise<unknown>;

/** Each action: its form parsed into the command's props, then the command. */
const RUNS: Record<Action | 'message', Run> = {
  message: (ctx, agent, ref, req) => writeMessage(ctx, agent, ref, { ...messageForm(req.body), uploads: messageUploads(req) }),
  take: (ctx, agent, ref, req) => take(ctx, agent, ref, takeForm(req.body)),
  hold: (ctx, agent, ref, req) => hold(ctx, agent, ref, holdForm(req.body)),
  resume: (ctx, agent, ref) => resume(ctx, agent, ref),
  reassign: (ctx, agent, ref, req) => reassign(ctx, agent, ref, reassignForm(req.body)),
  annotate: (ctx, agent, ref, req) => annotate(ctx, agent, ref, annotateForm(req.body)),
  prioritize: (ctx, agent, ref, req) => prioritize(ctx, agent, ref, prioritizeForm(req.body)),
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

async function attempt(ctx: Ctx, req: Request, action: Action | 'message'): Promise<Attempt | CommandError> {
  try {
    const result = await RUNS[action](ctx, currentAgent(req), referenceOf(req), req);
    return { status: 200, messages: { notice: t(`ui.actions.${action}.done`) }, updated: isUpdateOutcome(result) ? result : null };
  } catch (err) {
    if (!(err instanceof CommandError)) {
      throw err;
    }
    // Not the agent's request at all: there is no panel to show the reason in.
    if (err.status === 403 || err.status === 404) {
      return err;
    }
    return { status: err.status, messages: { alert: err.message }, updated: null };
  }
}

/**
 * The request the panel shows after the action. An accepted Update answered with its
 * state: drawn from it, without loading or authorizing the request again. A message
 * (no Update of its own, or a close inside the command) and a refusal (the panel was
 * often stale: someone else acted) show the request as it now stands.
 */
async function requestToShow(ctx: Ctx, agent: Agent, reference: string, outcome: Attempt): Promise<RequestRow> {
  return outcome.updated ? requestAfterUpdate(ctx.db, agent, outcome.updated) : loadForAgent(ctx, agent, reference);
}

async function respond(ctx: Ctx, req: Request, res: Response, action: Action | 'message'): Promise<void> {
  res.vary('HX-Request');
  const outcome = await attempt(ctx, req, action);
  if (outcome instanceof CommandError) {
    await renderRefusal(ctx, req, res, outcome);
    return;
  }
  const reference = referenceOf(req);
  if (!isHtmx(req)) {
    const { alert, notice } = outcome.messages;
    req.session.flash = alert ? { kind: 'error', message: alert } : { kind: 'success', message: notice ?? '' };
    res.redirect(303, `/demandes/${encodeURIComponent(reference)}`);
    return;
  }
  const agent = currentAgent(req);
  const request = await requestToShow(ctx, agent, reference, outcome);
  // The nav's counters listen for this event.
  res.status(outcome.status).set('HX-Trigger', 'requestUpdated');
  renderFragment(res, 'requestPanel', { ...(await panelModel(ctx, agent, request, outcome.messages)), focus: true });
}

export function actionRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  for (const action of Object.keys(RUNS) as (Action | 'message')[]) {
    router.post(`/demandes/:reference/${action}`, (req, res) => respond(ctx, req, res, action));
  }
  return router;
}
