// What an article's form (or a caller) may send, checked before anything is written; each
// problem has one French message, `ui.kb.invalid.<key>`, on the field it is about.
import { z } from 'zod';
import { t } from '../i18n';

export const MAX_TITLE = 200;
export const MAX_BODY = 50_000;
export const MAX_TAG = 60;
export const MAX_TAGS = 20;
export const MAX_NOTE = 300;

const said = (key: string) => ({ error: () => t(`ui.kb.invalid.${key}`) });

/** « Tags: a, b, c »: trimmed, lower case, each once. */
const tags = z.string(said('tags')).max(MAX_TAGS * (MAX_TAG + 2), said('tags'))
  .transform((s) => [...new Set(s.split(',').map((tag) => tag.trim().toLocaleLowerCase('fr')).filter(Boolean))])
  .pipe(z.array(z.string().max(MAX_TAG, said('tagTooLong'))).max(MAX_TAGS, said('tooManyTags')));

/** A select's value: '' for none, else a positive id. */
const id = (key: string) => z.union([z.literal(''), z.coerce.number(said(key)).int(said(key)).positive(said(key))], said(key));

export const articleSchema = z.object({
  title: z.string(said('title')).trim().min(1, said('title')).max(MAX_TITLE, said('titleTooLong')),
  body: z.string(said('body')).trim().min(1, said('body')).max(MAX_BODY, said('bodyTooLong')),
  tags: tags.default([]),
  service: id('service').default('').transform((v) => (v === '' ? null : v)),
  formTypes: z.union([z.string(), z.array(z.string())], said('formTypes')).default([])
    .transform((v) => (Array.isArray(v) ? v : [v]).filter((s) => s !== '').map(Number))
    .pipe(z.array(z.number(said('formTypes')).int(said('formTypes')).positive(said('formTypes'))).max(200, said('formTypes')))
    .transform((ids) => [...new Set(ids)]),
  isPublic: z.boolean(said('isPublic')).default(false),
  note: z.string(said('note')).trim().max(MAX_NOTE, said('noteTooLong')).default(''),
});

export type ArticleInput = z.output<typeof articleSchema>;

/** The fields of the article form as the schema reads them (a checkbox is there or not). */
export function articleFormInput(body: Record<string, unknown> | undefined) {
  const b = body ?? {};
  return { title: b.title, body: b.body, tags: b.tags, service: b.service, formTypes: b.formTypes, isPublic: b.isPublic === 'oui', note: b.note };
}
