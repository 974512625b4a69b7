import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { listFormTypes } from '../../db/formTypes';
import { t } from '../../i18n';
import { createScopedKey, listPartnerKeys, revokePartnerKey } from '../../partners/keys';
import { attempt, doneTo, many, renderAdminPage } from './admin/render';
import { text } from './forms';
import { frenchDate } from '../../dates';

// renderAdminPage looks under views/pages/admin/; this page is views/pages/adminPartners.hbs.
const VIEW = '../adminPartners';
const BASE = '/admin/partenaires';

/** /admin/partenaires: partner API keys, their form types, creation (secret shown once) and revocation. */
export function partnerRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const page = async (req: Request, res: Response, model: Record<string, unknown> = {}) => {
    const chosen = new Set((model.chosen as string[] | undefined) ?? []);
    const formTypes = (await listFormTypes(ctx.db)).map((f) => ({ slug: f.slug, title: f.title, service: f.service_name, checked: chosen.has(f.slug) }));
    const keys = (await listPartnerKeys(ctx.db)).map((k) => ({ ...k, createdOn: day(k.createdAt), revokedOn: k.revokedAt === null ? null : day(k.revokedAt) }));
    renderAdminPage(ctx, req, res, VIEW, { title: t('ui.admin.partners.title'), keys, formTypes, values: { name: '' }, ...model });
  };

  router.get('/partenaires', async (req, res) => page(req, res));

  // The secret is rendered in the answer to this POST, never stored nor put in the session.
  router.post('/partenaires', async (req, res) => {
    const values = { name: text(req.body, 'name', 200) };
    const chosen = many(req.body, 'formTypes');
    await attempt(
      res,
      async () => {
        const created = await createScopedKey(ctx.db, values.name, chosen);
        res.status(201);
        await page(req, res, { created: { name: values.name, secret: created.secret } });
      },
      (error) => page(req, res, { error, values, chosen }),
    );
  });

  // Revoking breaks a partner's integration: a page asks first (no script needed).
  router.get('/partenaires/:id/revoquer', async (req, res, next) => {
    const key = await keyOf(ctx, req);
    if (!key) {
      next();
      return;
    }
    renderAdminPage(ctx, req, res, VIEW, { title: t('ui.admin.partners.confirmTitle', { name: key.name }), confirming: key });
  });

  router.post('/partenaires/:id/revoquer', async (req, res, next) => {
    const key = await keyOf(ctx, req);
    if (!key) {
      next();
      return;
    }
    await revokePartnerKey(ctx.db, key.id);
    doneTo(req, res, BASE, t('ui.admin.partners.revoked', { name: key.name }));
  });
  return router;
}

async function keyOf(ctx: Ctx, req: Request) {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) {
    return undefined;
  }
  return (await listPartnerKeys(ctx.db, id))[0];
}

const day = (ms: number) => frenchDate(ms, 'day');

