import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../../commands/context';
import { createService } from '../../../commands/admin/createService';
import { renameService } from '../../../commands/admin/renameService';
import { serviceSummaries } from '../../../db/services';
import { t } from '../../../i18n';
import { text } from '../forms';
import { currentAgent } from '../session';
import { attempt, doneTo, renderAdminPage } from './render';

export function serviceRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  const page = async (req: Request, res: Response, model: Record<string, unknown> = {}) => {
    renderAdminPage(ctx, req, res, 'services', { title: t('ui.admin.services.title'), services: await serviceSummaries(ctx.db), ...model });
  };

  router.get('/services', async (req, res) => page(req, res));

  router.post('/services', async (req, res) => {
    const values = { slug: text(req.body, 'slug', 64), name: text(req.body, 'name', 200) };
    await attempt(
      res,
      async () => {
        await createService(ctx.db, currentAgent(req), values);
        doneTo(req, res, '/admin/services', t('ui.admin.services.created', { name: values.name }));
      },
      (error) => page(req, res, { error, values }),
    );
  });

  router.post('/services/:id', async (req, res) => {
    const name = text(req.body, 'name', 200);
    await attempt(
      res,
      async () => {
        await renameService(ctx.db, currentAgent(req), { id: Number(req.params.id), name });
        doneTo(req, res, '/admin/services', t('ui.admin.services.renamed', { name }));
      },
      (error) => page(req, res, { error }),
    );
  });
  return router;
}
