// The knowledge base beside a request: the articles about its form type first, then what
// the agent searches; each insertable into the reply when the agent may write one.
import type { Ctx } from '../commands/context';
import { articlesByIds, articlesOfFormType } from '../db/kbArticles';
import { searchArticleIds } from '../db/kbSearch';
import type { RequestRow } from '../db/requests';
import { insertable } from './views';

const PANEL_ARTICLES = 8;

export interface KbPanel {
  reference: string;
  formTypeTitle: string;
  canInsert: boolean;
  articles: ReturnType<typeof insertable>[];
  query: string;
  results: ReturnType<typeof insertable>[];
}

/** The panel's articles, and the results of `query` when there is one. */
export async function kbPanelModel(ctx: Ctx, request: RequestRow, canInsert: boolean, query = ''): Promise<KbPanel> {
  const [own, found] = await Promise.all([
    articlesOfFormType(ctx.db, request.form_type_id, { limit: PANEL_ARTICLES }),
    query.trim() ? searchArticleIds(ctx.db, query, PANEL_ARTICLES).then((ids) => articlesByIds(ctx.db, ids)) : Promise.resolve([]),
  ]);
  return {
    reference: request.reference,
    formTypeTitle: request.form_type_title,
    canInsert,
    articles: own.map((a) => insertable(ctx.config, a)),
    query: query.trim(),
    results: found.map((a) => insertable(ctx.config, a)),
  };
}
