import express, { type Request, type Response } from 'express';
import type { EmailKind } from '../../../db/emails';
import type { Ctx } from '../../../commands/context';
import { resetEmailTemplate } from '../../../commands/admin/resetEmailTemplate';
import { saveEmailTemplate } from '../../../commands/admin/saveEmailTemplate';
import { listTemplateOverrides } from '../../../db/emailTemplates';
import { t } from '../../../i18n';
import { EMAIL_KINDS, isEmailKind, PLACEHOLDERS, renderSource, SAMPLE_CONTEXT, templateInForce, templateProblem, type TemplateSource } from '../../../mail/templates';
import { text } from '../forms';
import { isHtmx, renderFragment } from '../render';
import { currentAgent } from '../session';
import { attempt, doneTo, renderAdminPage } from './render';

/** The preview of a template as typed, with sample data; or why it cannot render. */
function previewOf(kind: EmailKind, source: TemplateSource) {
  const problem = templateProblem(kind, source);
  return problem ? { error: problem } : { email: renderSource(source, SAMPLE_CONTEXT) };
}

const sourceOf = (body: unknown): TemplateSource => ({ subject: text(body, 'subject', 500), body: text(body, 'body', 20000) });

export function emailTemplateRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/courriels', async (req, res) => {
    const overrides = new Set((await listTemplateOverrides(ctx.db)).map((o) => o.kind));
    const rows = EMAIL_KINDS.map((kind) => ({ kind, label: t(`emailKind.${kind}`), custom: overrides.has(kind) }));
    renderAdminPage(ctx, req, res, 'emailTemplates', { title: t('ui.admin.emails.title'), rows });
  });

  const editPage = async (req: Request, res: Response, kind: EmailKind, model: { source?: TemplateSource; error?: string; preview?: unknown } = {}) => {
    const inForce = await templateInForce(ctx.db, kind);
    renderAdminPage(ctx, req, res, 'emailTemplate', {
      title: t('ui.admin.emails.edit', { kind: t(`emailKind.${kind}`) }),
      kind,
      custom: inForce.overridden,
      source: model.source ?? inForce,
      placeholders: PLACEHOLDERS[kind].map((name) => ({ code: `{{${name}}}`, meaning: t(`ui.admin.emails.names.${name}`) })),
      example: '{{reference}}',
      error: model.error,
      preview: model.preview,
    });
  };

  // A :kind that names no e-mail is no page of these routes: on to the 404.
  router.param('kind', (_req, _res, next, kind: string) => next(isEmailKind(kind) ? undefined : 'route'));
  const kindOf = (req: Request): EmailKind => req.params.kind as EmailKind;

  router.get('/courriels/:kind', async (req, res) => {
    const kind = kindOf(req);
    await editPage(req, res, kind);
  });

  // "Prévisualiser": the fragment beside the form with htmx, the whole page without.
  router.post('/courriels/:kind/apercu', async (req, res) => {
    const kind = kindOf(req);
    const source = sourceOf(req.body);
    const preview = previewOf(kind, source);
    if (isHtmx(req)) {
      renderFragment(res, 'admin/emailPreview', preview);
      return;
    }
    await editPage(req, res, kind, { source, preview });
  });

  router.post('/courriels/:kind', async (req, res) => {
    const kind = kindOf(req);
    const source = sourceOf(req.body);
    await attempt(
      res,
      async () => {
        await saveEmailTemplate(ctx.db, currentAgent(req), { kind, ...source });
        doneTo(req, res, `/admin/courriels/${kind}`, t('ui.admin.emails.saved'));
      },
      (error) => editPage(req, res, kind, { source, error }),
    );
  });

  router.post('/courriels/:kind/origine', async (req, res) => {
    const kind = kindOf(req);
    await resetEmailTemplate(ctx.db, currentAgent(req), kind);
    doneTo(req, res, `/admin/courriels/${kind}`, t('ui.admin.emails.resetDone'));
  });
  return router;
}
