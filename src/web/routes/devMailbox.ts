import express from 'express';
import type { Ctx } from '../../commands/context';
import { latestEmails } from '../../db/emails';
import { t } from '../../i18n';
import { devMailboxEnabled, renderPage } from './render';

const LATEST = 200;

/**
 * The embedded default keeps e-mails in the database instead of sending them: this page
 * is its mailbox. Open without login, so it exists only when no SMTP server is set:
 * in production it would show citizens' e-mails to anyone.
 */
export function devMailboxRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/dev/boite-mail', async (req, res) => {
    if (!devMailboxEnabled(ctx)) {
      res.status(404);
      await renderPage(ctx, req, res, 'error', { title: t('ui.errorPage.title'), message: t('ui.errorPage.notFound') });
      return;
    }
    const emails = (await latestEmails(ctx.db, LATEST)).map((e) => ({
      ...e,
      at: e.sent_at ?? e.created_at,
      kindLabel: t(`emailKind.${e.kind}`),
      statusLabel: t(`emailStatus.${e.status}`),
      purged: e.to_address === null,
    }));
    await renderPage(ctx, req, res, 'mailbox', { title: t('ui.mailbox.title'), emails, latest: LATEST });
  });
  return router;
}
