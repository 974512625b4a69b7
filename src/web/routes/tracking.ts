// The citizen's side, without login: the tracking page (the tracking code shows the
// status, the dates and the messages meant for them, nothing internal) and the answer
// through the signed link of a message.
import express from 'express';
import { citizenReply, requestOfLink } from '../../commands/citizenReply';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { messagesOf } from '../../db/messages';
import { findRequestByTrackingCode, type RequestRow } from '../../db/requests';
import { visibleFiles } from '../../db/attachments';
import { t } from '../../i18n';
import { text } from './forms';
import { renderPage } from './render';
import { withFiles } from './requestPanel';
import { messageUploads } from '../uploads';
import { trackingLimit } from '../trackingLimit';

const codeOf = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase().slice(0, 20) : '');

async function trackingModel(ctx: Ctx, request: RequestRow) {
  const thread = await messagesOf(ctx.db, request.id, true);
  const files = await visibleFiles(ctx.db, request.id);
  return {
    request,
    purged: request.purged_at !== null && request.purged_at !== undefined,
    thread: withFiles(thread, files).map((m) => ({ ...m, fromCitizen: m.author === 'CITIZEN' })),
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
      await renderPage(ctx, req, res, 'tracking', { title: t('ui.tracking.title'), code, error: code ? t('errors.TRACKING_UNKNOWN') : null });
      return;
    }
    await renderPage(ctx, req, res, 'tracking', { title: t('ui.tracking.heading', { reference: request.reference }), code, found: await trackingModel(ctx, request) });
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
      await replyPage(ctx, req, res, { error: err.message, body: text(req.body, 'body', 10_001, false) }, token);
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
    ...(await trackingModel(ctx, request)),
    ...extra,
  });
}
