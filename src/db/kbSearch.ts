// Full-text search of the knowledge base, accents and case ignored, best match first, a
// match in the title weighing more than one in the body (or tags). Both sides are folded
// (searchable()): the stored copies and the query. Every word must appear (as a word or the
// start of one: « naiss » finds « naissance »).
// - MariaDB/MySQL: FULLTEXT in boolean mode; the score adds the title index's relevance,
//   weighted, to the body's.
// - SQLite: FTS5; bm25() with a weight per column (lower is better).
import type { Knex } from 'knex';
import { isMysql, type Db } from './connection';
import { searchable } from '../search/normalize';

/** How much more a title match counts than a body match. */
export const TITLE_WEIGHT = 5;

/**
 * Words InnoDB's full-text index leaves out (shorter than its 3 characters, or in its
 * stop list): requiring them would find nothing on MariaDB, so neither side requires them.
 */
const UNINDEXED = new Set(['about', 'are', 'com', 'for', 'from', 'how', 'that', 'the', 'this', 'was', 'what', 'when', 'where', 'who', 'will', 'with', 'und', 'www']);

/** The words of a query that the search requires: folded, letters and digits only. */
export function queryWords(q: string): string[] {
  const words = searchable(q).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3 && !UNINDEXED.has(w));
  return [...new Set(words)].slice(0, 12);
}

/** Keeps the article's search row (SQLite's FTS5 table) in step; MariaDB indexes the columns itself. */
export async function indexArticle(trx: Knex.Transaction, id: number, title: string, body: string): Promise<void> {
  if (isMysql(trx)) {
    return;
  }
  await trx.raw('DELETE FROM kb_articles_fts WHERE rowid = ?', [id]);
  await trx.raw('INSERT INTO kb_articles_fts (rowid, title, body) VALUES (?, ?, ?)', [id, title, body]);
}

/** The ids of the articles matching `q`, best first (at most `limit`). */
export async function searchArticleIds(db: Db, q: string, limit: number): Promise<number[]> {
  const words = queryWords(q);
  if (!words.length) {
    return [];
  }
  if (isMysql(db)) {
    const against = words.map((w) => `+${w}*`).join(' ');
    const rows = await db('kb_articles')
      .select('id')
      .select(db.raw('(MATCH(search_title) AGAINST (? IN BOOLEAN MODE) * ? + MATCH(search_body) AGAINST (? IN BOOLEAN MODE)) AS score', [against, TITLE_WEIGHT, against]))
      .whereRaw('MATCH(search_title, search_body) AGAINST (? IN BOOLEAN MODE)', [against])
      .orderBy([{ column: 'score', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(limit);
    return rows.map((r: { id: number }) => Number(r.id));
  }
  // Each word quoted (no FTS5 syntax gets through), as a prefix.
  const match = words.map((w) => `"${w}"*`).join(' ');
  const rows: { id: number }[] = await db.raw(
    `SELECT rowid AS id FROM kb_articles_fts WHERE kb_articles_fts MATCH ? ORDER BY bm25(kb_articles_fts, ${TITLE_WEIGHT}.0, 1.0), rowid DESC LIMIT ?`,
    [match, limit],
  );
  return rows.map((r) => Number(r.id));
}
