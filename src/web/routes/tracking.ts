// The citizen's side, without login: the tracking page (the tracking code shows the
// status, the dates and the messages meant for them, nothing internal) and the answer
// through the signed link of a message.
import express from 'express';
import { citizenReply, requestOfLink } from '../../commands/citizenReply';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { messagesOf } from '../../db/messages';
import { findRequestByTrackingCode, type RequestRow } from '../../db/requests';
import { mergedInto } from '../../db/merges';
import { visibleFiles } from '../../db/attachments';
import { closingLabel } from '../../db/views';
import { t } from '../../i18n';
import { replyToken } from '../../messages/secureLink';
import { frenchDate } from '../../dates';
import { text } from './forms';
import { renderPage } from './render';
import { withFiles } from './requestPanel';
import { messageUploads } from '../uploads';
import { trackingLimit } from '../trackingLimit';

// As typed (spaces, dashes and case are the lookup's business, see normalTrackingCode).
const codeOf = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase().slice(0, 40) : '');

/**
 * Where the request stands, in the citizen's words (those of the guide's lifecycle): what
 * its status means and what comes next. A hold waiting for the citizen is its own case.
 */
function situationOf(request: RequestRow, waiting: boolean) {
  const key = waiting ? 'EN_ATTENTE_USAGER' : request.status;
  const holdUntil = request.status === 'EN_ATTENTE' && !waiting && request.hold_until ? frenchDate(request.hold_until) : null;
  return {
    meaning: t(`ui.tracking.situation.${key}.meaning`, { service: request.service_name }),
    next: holdUntil ? t('ui.tracking.holdUntil', { date: holdUntil }) : t(`ui.tracking.situation.${key}.next`),
  };
}

/**
 * The page of a request for the holder of its tracking code. `replyLink`: offer the reply
 * form when the service waits for an answer or has written (the citizen without an e-mail
 * address has no other way to answer); the reply page itself does not link to itself.
 */
async function trackingModel(ctx: Ctx, request: RequestRow, replyLink: boolean) {
  const thread = withFiles(await messagesOf(ctx.db, request.id, true), await visibleFiles(ctx.db, request.id))
    .map((m) => ({ ...m, fromCitizen: m.author === 'CITIZEN' }));
  const open = request.status !== 'CLOTUREE';
  const waiting = open && Boolean(request.waiting_for_citizen);
  const offerReply = replyLink && open && (waiting || thread.some((m) => !m.fromCitizen));
  const statusSince = request.status_since === null ? null : Number(request.status_since);
  return {
    request,
    purged: request.purged_at !== null && request.purged_at !== undefined,
    thread,
    situation: situationOf(request, waiting),
    waiting,
    closingLabel: open ? null : await closingLabel(ctx.db, request.closing_code),
    // The last change of status, when it is not the filing or the taking, already dated.
    lastChange: statusSince !== null && ![Number(request.created_at), Number(request.taken_at)].includes(statusSince) ? statusSince : null,
    replyUrl: offerReply ? `/suivi/${request.tracking_code}/repondre?jeton=${replyToken(ctx.config.sessionSecret, request.id)}` : null,
  };
}

export function trackingRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  const limited = trackingLimit(ctx);
  // A citizen's own request, or the search for one: never kept by a cache.
  router.use('/suivi', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // Only a lookup counts against the limit, not the empty search form.
  router.get('/suivi', (req, res, next) => (req.query.code === undefined ? next() : limited(req, res, next)), async (req, res) => {
    const code = codeOf(req.query.code);
    const request = code ? await findRequestByTrackingCode(ctx.db, code) : undefined;
    if (!request) {
      res.status(code ? 404 : 200);
      await renderPage(ctx, req, res, 'tracking', { title: t('ui.tracking.title'), code, error: code ? t('errors.TRACKING_UNKNOWN') : null, failed: Boolean(code) });
      return;
    }
    // A request merged into another: its tracking code leads to the one that holds it now.
    const into = request.status === 'CLOTUREE' ? await mergedInto(ctx.db, request.id) : undefined;
    if (into) {
      res.redirect(303, `/suivi?code=${encodeURIComponent(into.tracking_code)}`);
      return;
    }
    await renderPage(ctx, req, res, 'tracking', { title: t('ui.tracking.heading', { reference: request.reference }), code, found: await trackingModel(ctx, request, true) });
  });

  router.get('/suivi/:code/repondre', limited, async (req, res) => {
    await replyPage(ctx, req, res, {});
  });

  router.post('/suivi/:code/repondre', limited, async (req, res) => {
    const token = text(req.body, 'jeton', 200);
    try {
      await citizenReply(ctx, codeOf(req.params.code), token, text(req.body, 'body', 10_001, false), messageUploads(req));
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      res.status(err.status);
      await replyPage(ctx, req, res, { error: err.message, failed: true, body: text(req.body, 'body', 10_001, false) }, token);
      return;
    }
    await replyPage(ctx, req, res, { sent: true }, token);
  });
  return router;
}

async function replyPage(ctx: Ctx, req: express.Request, res: express.Response, extra: Record<string, unknown>, given?: string) {
  const token = given ?? (typeof req.query.jeton === 'string' ? req.query.jeton : '');
  let request: RequestRow;
  try {
    request = await requestOfLink(ctx, codeOf(req.params.code), token);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    res.status(err.status);
    await renderPage(ctx, req, res, 'error', { title: t('ui.reply.title'), message: err.message });
    return;
  }
  const closed = request.status === 'CLOTUREE';
  await renderPage(ctx, req, res, 'reply', {
    title: t('ui.reply.title'),
    reference: request.reference,
    code: request.tracking_code,
    token,
    closed,
    ...(await trackingModel(ctx, request, false)),
    ...extra,
  });
}
