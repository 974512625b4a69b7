import express from 'express';
import type { Ctx } from '../../commands/context';
import { latestEmails } from '../../db/emails';
import type { EmailKind } from '../../db/emails';
import { t } from '../../i18n';
import { can } from '../../policies';
import { devMailboxEnabled, renderPage } from './render';
import { requireAgent } from './session';

const LATEST = 200;

/** Their link sets an agent's password: whoever reads it owns the account, so the page never shows it. */
const ACCOUNT_LINK_KINDS: EmailKind[] = ['ACTIVATION', 'PASSWORD_RESET'];

/**
 * The embedded default keeps e-mails in the database instead of sending them: this page
 * is its mailbox. It exists only when no SMTP server is set, and only administrators open
 * it: it shows citizens' addresses, tracking codes and reply links. Account links
 * (activation, reset) are masked even to them: reading one would take over the account.
 */
export function devMailboxRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/dev/boite-mail', async (req, res, next) => {
    if (!devMailboxEnabled(ctx)) {
      res.status(404);
      await renderPage(ctx, req, res, 'error', { title: t('ui.errorPage.title'), message: t('ui.errorPage.notFound') });
      return;
    }
    if (!req.agent) {
      requireAgent(req, res, next);
      return;
    }
    if (!can(req.agent, 'devMailbox')) {
      res.status(403);
      await renderPage(ctx, req, res, 'error', { title: t('ui.mailbox.title'), message: t('ui.mailbox.adminOnly') });
      return;
    }
    const emails = (await latestEmails(ctx.db, LATEST)).map((e) => {
      const masked = ACCOUNT_LINK_KINDS.includes(e.kind);
      return {
        ...e,
        body_text: masked ? null : e.body_text,
        masked,
        at: e.sent_at ?? e.created_at,
        kindLabel: t(`emailKind.${e.kind}`),
        statusLabel: t(`emailStatus.${e.status}`),
        purged: e.to_address === null,
      };
    });
    await renderPage(ctx, req, res, 'mailbox', { title: t('ui.mailbox.title'), emails, latest: LATEST });
  });
  return router;
}
