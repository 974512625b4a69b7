// Partner API keys and the form types each may use. A key is useful only for the form
// types it was given explicitly: a form type created later is never granted silently.
import { CommandError } from '../commands/errors';
import type { Db } from '../db/connection';
import { findPartnerKey, formTypeIdsOfKey, formTypesBySlug, insertPartnerKey, partnerKeys, revokeKey, scopesOfKeys } from '../db/partnerKeys';
import { t } from '../i18n';

export interface PartnerKeyView {
  id: number;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  formTypes: { slug: string; title: string }[];
}

const refused = (code: string, params: Record<string, string> = {}, field?: string) =>
  new CommandError(400, code, t(`errors.${code}`, params), field);

/** Creates a key for the named form types; returns its id and its secret (shown once, stored hashed). */
export async function createScopedKey(db: Db, name: string, formTypeSlugs: string[], secret?: string): Promise<{ id: number; secret: string }> {
  const trimmed = name.trim();
  if (!trimmed) {
    throw refused('PARTNER_NAME_REQUIRED', {}, 'name');
  }
  if (trimmed.length > 200) {
    throw refused('PARTNER_NAME_TOO_LONG', {}, 'name');
  }
  const slugs = [...new Set(formTypeSlugs.map((s) => s.trim()).filter(Boolean))];
  const formTypes = await formTypesBySlug(db, slugs);
  const unknown = slugs.filter((s) => !formTypes.some((f) => f.slug === s));
  if (unknown.length > 0) {
    throw refused('UNKNOWN_FORM_TYPE', { value: unknown.join(', ') }, 'formTypes');
  }
  return insertPartnerKey(db, trimmed, formTypes.map((f) => f.id), secret);
}

/** Revokes a partner key: it authenticates no more, and its webhooks get nothing more. */
export async function revokePartnerKey(db: Db, id: number, now = Date.now()): Promise<PartnerKeyView> {
  const key = await findPartnerKey(db, id);
  if (!key) {
    throw new CommandError(404, 'PARTNER_KEY_NOT_FOUND', t('errors.PARTNER_KEY_NOT_FOUND', { id: String(id) }));
  }
  if (key.revoked_at === null) {
    await revokeKey(db, id, now);
  }
  return (await listPartnerKeys(db, id))[0];
}

/** Every partner key (or one), newest first, with its form types. */
export async function listPartnerKeys(db: Db, onlyId?: number): Promise<PartnerKeyView[]> {
  const keys = await partnerKeys(db, onlyId);
  const scopes = await scopesOfKeys(db, keys.map((k) => k.id));
  return keys.map((k) => ({
    id: Number(k.id),
    name: k.name,
    createdAt: Number(k.created_at),
    revokedAt: k.revoked_at === null ? null : Number(k.revoked_at),
    formTypes: scopes.filter((s) => Number(s.token_id) === Number(k.id)).map((s) => ({ slug: s.slug, title: s.title })),
  }));
}

/** The ids of the form types a key may use. */
export const scopeOf = (db: Db, tokenId: number): Promise<number[]> => formTypeIdsOfKey(db, tokenId);
