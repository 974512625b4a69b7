import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../../commands/context';
import { addCode } from '../../../commands/admin/addCode';
import { CODE_LISTS } from '../../../commands/admin/codeLists';
import type { CodeList } from '../../../db/codes';
import { removeCode } from '../../../commands/admin/removeCode';
import { renameCode } from '../../../commands/admin/renameCode';
import { listCodes, usesOf } from '../../../db/codes';
import { t } from '../../../i18n';
import { text } from '../forms';
import { currentAgent } from '../session';
import { attempt, doneTo, renderAdminPage } from './render';

/** Event types and closing codes: the same page for both lists, /admin/codes/evenements and /admin/codes/clotures. */
export function codeRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const page = async (req: Request, res: Response, slug: string, list: CodeList, model: Record<string, unknown> = {}) => {
    const rows = await listCodes(ctx.db, list);
    const withUses = await Promise.all(rows.map(async (r) => ({ ...r, system: Boolean(r.system), uses: await usesOf(ctx.db, list, r.code) })));
    renderAdminPage(ctx, req, res, 'codes', {
      title: t(`ui.admin.codes.${list}`), intro: t(`ui.admin.codes.intro_${list}`), slug, rows: withUses, values: { code: '', label: '' }, ...model,
    });
  };

  const listOf = (req: Request): [string, CodeList] | null => {
    const slug = String(req.params.list);
    return Object.hasOwn(CODE_LISTS, slug) ? [slug, CODE_LISTS[slug]] : null;
  };

  router.get('/codes/:list', async (req, res, next) => {
    const found = listOf(req);
    if (!found) {
      next();
      return;
    }
    await page(req, res, ...found);
  });

  router.post('/codes/:list', async (req, res, next) => {
    const found = listOf(req);
    if (!found) {
      next();
      return;
    }
    const values = { code: text(req.body, 'code', 64), label: text(req.body, 'label', 200) };
    await attempt(
      res,
      async () => {
        await addCode(ctx.db, currentAgent(req), found[1], values);
        doneTo(req, res, `/admin/codes/${found[0]}`, t('ui.admin.codes.added', { code: values.code.toUpperCase() }));
      },
      (error) => page(req, res, ...found, { error, values }),
    );
  });

  router.post('/codes/:list/:code', async (req, res, next) => {
    const found = listOf(req);
    if (!found) {
      next();
      return;
    }
    const code = String(req.params.code);
    const remove = text(req.body, 'action', 16) === 'supprimer';
    await attempt(
      res,
      async () => {
        if (remove) {
          await removeCode(ctx.db, currentAgent(req), found[1], code);
        } else {
          await renameCode(ctx.db, currentAgent(req), found[1], { code, label: text(req.body, 'label', 200) });
        }
        doneTo(req, res, `/admin/codes/${found[0]}`, t(remove ? 'ui.admin.codes.removed' : 'ui.admin.codes.renamed', { code }));
      },
      (error) => page(req, res, ...found, { error }),
    );
  });
  return router;
}
