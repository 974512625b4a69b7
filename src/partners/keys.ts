// Partner API keys and the form types each may use. A key is useful only for the form
// types it was given explicitly: a form type created later is never granted silently.
import { CommandError } from '../commands/errors';
import type { Db } from '../db/connection';
import { createToken } from '../db/tokens';
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
  const formTypes: { id: number; slug: string }[] = slugs.length ? await db('form_types').whereIn('slug', slugs).select('id', 'slug') : [];
  const unknown = slugs.filter((s) => !formTypes.some((f) => f.slug === s));
  if (unknown.length > 0) {
    throw refused('UNKNOWN_FORM_TYPE', { value: unknown.join(', ') }, 'formTypes');
  }
  return db.transaction(async (trx) => {
    const created = await createToken(trx, 'partner', trimmed, null, secret);
    if (formTypes.length > 0) {
      await trx('partner_scopes').insert(formTypes.map((f) => ({ token_id: created.id, form_type_id: f.id })));
    }
    return created;
  });
}

/** Revokes a partner key: it authenticates no more, and its webhooks get nothing more. */
export async function revokePartnerKey(db: Db, id: number, now = Date.now()): Promise<PartnerKeyView> {
  const key = await db('api_tokens').where({ id, kind: 'partner' }).first('id', 'revoked_at');
  if (!key) {
    throw new CommandError(404, 'PARTNER_KEY_NOT_FOUND', t('errors.PARTNER_KEY_NOT_FOUND', { id: String(id) }));
  }
  if (key.revoked_at === null) {
    await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: now });
  }
  return (await listPartnerKeys(db, id))[0];
}

/** Every partner key (or one), newest first, with its form types. */
export async function listPartnerKeys(db: Db, onlyId?: number): Promise<PartnerKeyView[]> {
  const query = db('api_tokens').where({ kind: 'partner' }).orderBy('id', 'desc').select('id', 'name', 'created_at', 'revoked_at');
  const keys: { id: number; name: string; created_at: number; revoked_at: number | null }[] = onlyId === undefined ? await query : await query.where({ id: onlyId });
  const scopes: { token_id: number; slug: string; title: string }[] = keys.length
    ? await db('partner_scopes as s').join('form_types as f', 'f.id', 's.form_type_id')
      .whereIn('s.token_id', keys.map((k) => k.id)).orderBy('f.slug').select('s.token_id', 'f.slug', 'f.title')
    : [];
  return keys.map((k) => ({
    id: Number(k.id),
    name: k.name,
    createdAt: Number(k.created_at),
    revokedAt: k.revoked_at === null ? null : Number(k.revoked_at),
    formTypes: scopes.filter((s) => Number(s.token_id) === Number(k.id)).map((s) => ({ slug: s.slug, title: s.title })),
  }));
}

/** The ids of the form types a key may use. */
export async function scopeOf(db: Db, tokenId: number): Promise<number[]> {
  const rows: { form_type_id: number }[] = await db('partner_scopes').where({ token_id: tokenId }).select('form_type_id');
  return rows.map((r) => Number(r.form_type_id));
}
