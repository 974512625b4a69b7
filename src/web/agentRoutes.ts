import express, { type NextFunction, type Request, type Response } from 'express';
import type { Ctx } from '../commands/context';
import { CommandError } from '../commands/errors';
import { t } from '../i18n';
import { mountAll } from './mount';
import { actionRoutes } from './routes/actions';
import { accountRoutes, publicAccountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { devMailboxRoutes } from './routes/devMailbox';
import { boardRoutes } from './routes/board';
import { bulkRoutes } from './routes/bulk';
import { exportRoutes } from './routes/exports';
import { labelRoutes } from './routes/labels';
import { journalRoutes } from './routes/journal';
import { listRoutes } from './routes/lists';
import { consultationRoutes } from './routes/consultations';
import { splitRoutes } from './routes/split';
import { callbackRoutes } from './routes/callbacks';
import { presenceRoutes } from './routes/presence';
import { chatRoutes } from './routes/chat';
import { assignmentRoutes } from './routes/assignment';
import { cannedReplyPages } from './routes/cannedReplies';
import { cannedReplyPickerRoutes } from './routes/cannedReplyPicker';
import { refreshRoutes } from './routes/refresh';
import { telephonyRoutes } from './routes/telephony';
import { statisticsRoutes } from './routes/statistics';
import { trackingRoutes } from './routes/tracking';
import { publicFormRoutes } from './routes/publicForms';
import { kbPublicRoutes } from './routes/kbPublic';
import { kbRoutes } from './routes/kb';
import { citizenRoutes } from './routes/citizens';
import { mergeRoutes } from './routes/merge';
import { entryRoutes } from './routes/entry';
import { agentAttachmentRoutes, citizenAttachmentRoutes } from './routes/attachments';
import { navModel, renderFragment, renderPage } from './routes/render';
import { renderRefusal, requestPageRoutes } from './routes/requestPage';
import { currentAgent, loadSessionAgent, requireAgent, sessionRoutes } from './routes/session';
import { ssoRoutes } from './routes/sso';

/** The agents' web UI: server-rendered pages, htmx fragments for the request panel. */
export function agentRouter(ctx: Ctx): express.Router {
  const router = express.Router();
  router.use(loadSessionAgent(ctx));
  // Whatever a logged-in agent is served (pages, fragments, exports) holds requests and
  // personal data: no cache, shared or the browser's own, may keep it.
  router.use((req, res, next) => {
    if (req.agent) res.set('Cache-Control', 'no-store');
    next();
  });
  // Open to all (each page says what it needs), then the agents' own pages, in this order.
  mountAll(router, ctx, [sessionRoutes, ssoRoutes, publicAccountRoutes, devMailboxRoutes, trackingRoutes, publicFormRoutes, kbPublicRoutes, citizenAttachmentRoutes]);
  router.use(requireAgent);
  router.use(accountRoutes(ctx));
  router.use('/admin', adminRoutes(ctx));
  mountAll(router, ctx, [listRoutes, callbackRoutes, refreshRoutes, exportRoutes, journalRoutes, statisticsRoutes, bulkRoutes, labelRoutes, agentAttachmentRoutes, citizenRoutes, entryRoutes, presenceRoutes, chatRoutes, boardRoutes, consultationRoutes, assignmentRoutes, kbRoutes, cannedReplyPages('personal'), cannedReplyPickerRoutes, telephonyRoutes, splitRoutes, mergeRoutes]);
  router.get('/navigation', async (req, res) => {
    const current = new URL(req.get('HX-Current-URL') ?? '/', 'http://guichet').pathname;
    renderFragment(res, 'nav', { ...(await navModel(ctx, currentAgent(req), current)) });
  });
  router.use(requestPageRoutes(ctx));
  router.use(actionRoutes(ctx));

  router.use(async (req: Request, res: Response) => {
    res.status(404);
    await renderPage(ctx, req, res, 'error', { title: t('ui.errorPage.title'), message: t('ui.errorPage.notFound') });
  });
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof CommandError)) {
      next(err);
      return;
    }
    renderRefusal(ctx, req, res, err).catch(next);
  });
  return router;
}
