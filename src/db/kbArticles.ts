// The articles of the knowledge base, their tags, form types and versions (migration
// 20261202300000_knowledge_base). Writing one keeps its folded search copy and, on SQLite,
// its FTS5 row in the same transaction (src/db/kbSearch.ts).
import type { Db } from './connection';
import { inTransaction } from './transaction';
import { indexArticle } from './kbSearch';
import { searchable } from '../search/normalize';

/** What an agent writes: the content of one version. */
export interface ArticleContent {
  title: string;
  body: string;
  tags: string[];
  /** null: for every service */
  serviceId: number | null;
  formTypeIds: number[];
  isPublic: boolean;
}

export interface Article extends ArticleContent {
  id: number;
  version: number;
  serviceName: string | null;
  formTypes: { id: number; title: string; slug: string }[];
  createdAt: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface ArticleVersion extends ArticleContent {
  version: number;
  note: string;
  agentName: string | null;
  createdAt: number;
}

interface ArticleRow {
  id: number;
  title: string;
  body: string;
  service_id: number | null;
  service_name: string | null;
  is_public: boolean | number;
  version: number;
  created_at: number | string;
  updated_at: number | string;
  updated_by_name: string | null;
}

const articleQuery = (db: Db) =>
  db('kb_articles as k')
    .leftJoin('services as s', 's.id', 'k.service_id')
    .leftJoin('agents as a', 'a.id', 'k.updated_by')
    .select('k.id', 'k.title', 'k.body', 'k.service_id', 'k.is_public', 'k.version', 'k.created_at', 'k.updated_at', 's.name as service_name', 'a.name as updated_by_name');

/** The tags and form types of these articles, by article id. */
async function relationsOf(db: Db, ids: number[]) {
  const [tags, forms] = ids.length
    ? await Promise.all([
      db('kb_article_tags').whereIn('article_id', ids).orderBy('tag').select('article_id', 'tag'),
      db('kb_article_form_types as kf').join('form_types as f', 'f.id', 'kf.form_type_id').whereIn('kf.article_id', ids).orderBy('f.title')
        .select('kf.article_id', 'f.id', 'f.title', 'f.slug'),
    ])
    : [[], []];
  return {
    tagsOf: (id: number) => (tags as { article_id: number; tag: string }[]).filter((t) => Number(t.article_id) === id).map((t) => t.tag),
    formsOf: (id: number) => (forms as { article_id: number; id: number; title: string; slug: string }[]).filter((f) => Number(f.article_id) === id)
      .map((f) => ({ id: Number(f.id), title: f.title, slug: f.slug })),
  };
}

/** The rows as articles, in the order given. */
export async function articlesOf(db: Db, rows: ArticleRow[]): Promise<Article[]> {
  const { tagsOf, formsOf } = await relationsOf(db, rows.map((r) => Number(r.id)));
  return rows.map((r) => {
    const id = Number(r.id);
    const formTypes = formsOf(id);
    return {
      id, title: r.title, body: r.body, tags: tagsOf(id), serviceId: r.service_id === null ? null : Number(r.service_id),
      formTypeIds: formTypes.map((f) => f.id), isPublic: Boolean(r.is_public), version: Number(r.version),
      serviceName: r.service_name, formTypes, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), updatedBy: r.updated_by_name,
    };
  });
}

export async function findArticle(db: Db, id: number): Promise<Article | undefined> {
  const row = await articleQuery(db).where('k.id', id).first();
  return row ? (await articlesOf(db, [row]))[0] : undefined;
}

/** These articles, in the order of `ids` (a search's ranking). */
export async function articlesByIds(db: Db, ids: number[]): Promise<Article[]> {
  if (!ids.length) {
    return [];
  }
  const rows: ArticleRow[] = await articleQuery(db).whereIn('k.id', ids);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return articlesOf(db, ids.map((id) => byId.get(id)).filter((r): r is ArticleRow => r !== undefined));
}

/** The newest articles first (the list without a search), optionally those of one tag. */
export async function latestArticles(db: Db, limit: number, tag?: string): Promise<Article[]> {
  const q = articleQuery(db).orderBy('k.updated_at', 'desc').orderBy('k.id', 'desc').limit(limit);
  if (tag) {
    q.whereIn('k.id', db('kb_article_tags').where({ tag }).select('article_id'));
  }
  return articlesOf(db, await q);
}

/** The articles about this form type, newest first; `publicOnly`: those citizens may read. */
export async function articlesOfFormType(db: Db, formTypeId: number, opts: { publicOnly?: boolean; limit?: number } = {}): Promise<Article[]> {
  const q = articleQuery(db)
    .whereIn('k.id', db('kb_article_form_types').where({ form_type_id: formTypeId }).select('article_id'))
    .orderBy('k.title').limit(opts.limit ?? 20);
  if (opts.publicOnly) {
    q.where('k.is_public', true);
  }
  return articlesOf(db, await q);
}

/** Every tag in use, for the list's filter. */
export async function allTags(db: Db): Promise<string[]> {
  return (await db('kb_article_tags').distinct('tag').orderBy('tag')).map((r: { tag: string }) => r.tag);
}

/** Writes the content as the article's next version (a new article when `id` is null); returns its id and version. */
export async function saveArticleRow(db: Db, id: number | null, content: ArticleContent, by: number | null, note: string): Promise<{ id: number; version: number }> {
  return inTransaction(db, async (trx) => {
    const now = Date.now();
    const folded = { search_title: searchable(content.title), search_body: searchable(`${content.body} ${content.tags.join(' ')}`) };
    const columns = { title: content.title, body: content.body, service_id: content.serviceId, is_public: content.isPublic, ...folded, updated_by: by, updated_at: now };
    let articleId: number;
    let version: number;
    if (id === null) {
      const [inserted] = await trx('kb_articles').insert({ ...columns, version: 1, created_by: by, created_at: now });
      articleId = Number(inserted);
      version = 1;
    } else {
      // Read in the transaction (and locked on MariaDB): two saves at once make two versions, in turn.
      const current = await trx('kb_articles').where({ id }).forUpdate().first('version');
      version = Number(current.version) + 1;
      articleId = id;
      await trx('kb_articles').where({ id }).update({ ...columns, version });
      await trx('kb_article_tags').where({ article_id: id }).delete();
      await trx('kb_article_form_types').where({ article_id: id }).delete();
    }
    if (content.tags.length) {
      await trx('kb_article_tags').insert(content.tags.map((tag) => ({ article_id: articleId, tag })));
    }
    if (content.formTypeIds.length) {
      await trx('kb_article_form_types').insert(content.formTypeIds.map((formTypeId) => ({ article_id: articleId, form_type_id: formTypeId })));
    }
    await trx('kb_article_versions').insert({
      article_id: articleId, version, title: content.title, body: content.body, tags: JSON.stringify(content.tags),
      form_type_ids: JSON.stringify(content.formTypeIds), service_id: content.serviceId, is_public: content.isPublic, note, agent_id: by, created_at: now,
    });
    await indexArticle(trx, articleId, folded.search_title, folded.search_body);
    return { id: articleId, version };
  });
}

/** Every version of an article, the newest first. */
export async function versionsOf(db: Db, articleId: number): Promise<ArticleVersion[]> {
  const rows = await db('kb_article_versions as v').leftJoin('agents as a', 'a.id', 'v.agent_id').where('v.article_id', articleId)
    .orderBy('v.version', 'desc').select('v.*', 'a.name as agent_name');
  return rows.map((r: Record<string, unknown>) => ({
    version: Number(r.version), title: String(r.title), body: String(r.body), tags: JSON.parse(String(r.tags)) as string[],
    formTypeIds: JSON.parse(String(r.form_type_ids)) as number[], serviceId: r.service_id === null ? null : Number(r.service_id),
    isPublic: Boolean(r.is_public), note: String(r.note), agentName: (r.agent_name as string | null) ?? null, createdAt: Number(r.created_at),
  }));
}
