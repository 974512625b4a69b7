// A message may name requests by their reference (« DEM-2026-000123 »). Each reader sees a
// link (with the request's form type) only for the requests they may read; to anyone else
// the reference stays the words the author typed: nothing says whether it exists, what it
// is or where it waits. Nothing else of a request is ever shown in a room.
import type { Agent } from '../db/agents';
import type { Db } from '../db/connection';
import { can } from '../policies';

export interface LinkedRequest {
  reference: string;
  href: string;
  /** the form type's title (« Acte de naissance »): no personal data */
  title: string;
}

/** A piece of a message's text, a link when it names a request the reader may read. */
export interface Part {
  text: string;
  link?: LinkedRequest;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The references of this town hall's requests (its prefix, a year, a number) in a text. */
export const referencePattern = (prefix: string): RegExp => new RegExp(`(?<![\\w-])${escaped(prefix)}-\\d{4}-\\d{6,}(?![\\w-])`, 'g');

export const referencesIn = (text: string, prefix: string): string[] => [...new Set(text.match(referencePattern(prefix)) ?? [])];

/** The requests named in these texts that the reader may read, by reference. */
export async function readableRequests(db: Db, reader: Agent, texts: readonly string[], prefix: string): Promise<Map<string, LinkedRequest>> {
  const references = [...new Set(texts.flatMap((text) => referencesIn(text, prefix)))];
  if (!references.length) {
    return new Map();
  }
  const rows: { reference: string; group_id: number | null; service_id: number; title: string }[] = await db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .whereIn('r.reference', references)
    .select('r.reference', 'r.group_id', 'r.service_id', 'f.title');
  return new Map(rows
    .filter((r) => can(reader, 'read', r))
    .map((r) => [r.reference, { reference: r.reference, href: `/demandes/${encodeURIComponent(r.reference)}`, title: r.title }]));
}

/** The text cut around the references, those the reader may read as links. */
export function partsOf(text: string, readable: ReadonlyMap<string, LinkedRequest>, prefix: string): Part[] {
  const parts: Part[] = [];
  let from = 0;
  for (const match of text.matchAll(referencePattern(prefix))) {
    const link = readable.get(match[0]);
    if (!link) continue;
    if (match.index > from) parts.push({ text: text.slice(from, match.index) });
    parts.push({ text: match[0], link });
    from = match.index + match[0].length;
  }
  if (from < text.length) parts.push({ text: text.slice(from) });
  return parts;
}
