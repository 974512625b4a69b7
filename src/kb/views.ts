// What the knowledge base's pages and panels show of an article: its body rendered (safe
// HTML), a short extract for lists, and the texts the request panel inserts into a reply.
import type { Config } from '../config';
import type { Article } from '../db/kbArticles';
import { renderMarkdown } from './markdown';

const EXTRACT = 220;

/** The body as plain words, for a list's extract: Markdown's marks left out. */
export function extractOf(body: string): string {
  const plain = body
    .replace(/^\s*(#+|>+|[-*+]|\d+\.)\s+/gm, '') // a heading's, quote's or list item's mark
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link: its text
    .replace(/\*+|__|`+|~~/g, '') // emphasis and code marks
    .replace(/\s+/g, ' ').trim();
  return plain.length > EXTRACT ? `${plain.slice(0, EXTRACT - 1).trimEnd()}…` : plain;
}

/** Where an article is read: the public page for a public one (citizens can follow it), else the agents' page. */
export function articleUrl(config: Pick<Config, 'publicUrl'>, article: Pick<Article, 'id' | 'isPublic'>): string {
  const base = config.publicUrl.replace(/\/+$/, '');
  return article.isPublic ? `${base}/aide/${article.id}` : `${base}/base-de-connaissances/${article.id}`;
}

/** A tag with the address of its articles. */
export const tagLink = (tag: string) => ({ tag, href: `/base-de-connaissances?etiquette=${encodeURIComponent(tag)}` });

/** An article in a list: its title, extract, tags, service and form types. */
export function listed(article: Article) {
  return { ...article, extract: extractOf(article.body), tagLinks: article.tags.map(tagLink) };
}

/** An article read in full. */
export function shown(article: Article) {
  return { ...listed(article), html: renderMarkdown(article.body) };
}

/** An article in the request panel: what « Insérer le texte » and « Insérer le lien » put in the reply. */
export function insertable(config: Pick<Config, 'publicUrl'>, article: Article) {
  return { ...listed(article), insertText: article.body, insertLink: `${article.title} : ${articleUrl(config, article)}` };
}
