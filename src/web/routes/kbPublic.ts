// The public articles of the knowledge base, for citizens (no login): the help shown on a
// form's page, and an article's own page (the link an agent puts in a reply). An internal
// article is « not found » here, as one that does not exist.
import express from 'express';
import type { Ctx } from '../../commands/context';
import { articlesOfFormType, findArticle } from '../../db/kbArticles';
import { t } from '../../i18n';
import { shown } from '../../kb/views';
import { renderPage } from './render';

/** The public articles about this form type, rendered, for its page. */
export async function publicHelpOf(ctx: Ctx, formTypeId: number) {
  return (await articlesOfFormType(ctx.db, formTypeId, { publicOnly: true })).map(shown);
}

export function kbPublicRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/aide/:id', async (req, res) => {
    const id = Number(req.params.id);
    const article = Number.isSafeInteger(id) && id > 0 ? await findArticle(ctx.db, id) : undefined;
    if (!article || !article.isPublic) {
      res.status(404);
      await renderPage(ctx, req, res, 'error', { title: t('ui.errorPage.title'), message: t('errors.KB_NOT_FOUND') });
      return;
    }
    await renderPage(ctx, req, res, 'kb/public', { title: article.title, article: shown(article) });
  });
  return router;
}
