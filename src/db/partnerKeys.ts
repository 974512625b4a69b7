// Partner keys (api_tokens of kind 'partner'), the form types each may use, and their webhooks.
import type { Db } from './connection';
import { inTransaction } from './transaction';
import { createToken } from './tokens';

export interface PartnerKeyRow {
  id: number;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

export async function formTypesBySlug(db: Db, slugs: string[]): Promise<{ id: number; slug: string }[]> {
  return slugs.length ? db('form_types').whereIn('slug', slugs).select('id', 'slug') : [];
}

/** A partner key and its form types, written together. */
export async function insertPartnerKey(db: Db, name: string, formTypeIds: number[], secret?: string): Promise<{ id: number; secret: string }> {
  return inTransaction(db, async (trx) => {
    const created = await createToken(trx, 'partner', name, null, secret);
    if (formTypeIds.length > 0) {
      await trx('partner_scopes').insert(formTypeIds.map((id) => ({ token_id: created.id, form_type_id: id })));
    }
    return created;
  });
}

export async function findPartnerKey(db: Db, id: number): Promise<Pick<PartnerKeyRow, 'id' | 'revoked_at'> | undefined> {
  return db('api_tokens').where({ id, kind: 'partner' }).first('id', 'revoked_at');
}

export async function revokeKey(db: Db, id: number, now: number): Promise<void> {
  await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: now });
}

/** Every partner key (or one), newest first. */
export async function partnerKeys(db: Db, onlyId?: number): Promise<PartnerKeyRow[]> {
  const query = db('api_tokens').where({ kind: 'partner' }).orderBy('id', 'desc').select('id', 'name', 'created_at', 'revoked_at');
  return onlyId === undefined ? query : query.where({ id: onlyId });
}

/** The form types of these keys, by slug. */
export async function scopesOfKeys(db: Db, tokenIds: number[]): Promise<{ token_id: number; slug: string; title: string }[]> {
  return tokenIds.length
    ? db('partner_scopes as s').join('form_types as f', 'f.id', 's.form_type_id')
      .whereIn('s.token_id', tokenIds).orderBy('f.slug').select('s.token_id', 'f.slug', 'f.title')
    : [];
}

/** The ids of the form types a key may use. */
export async function formTypeIdsOfKey(db: Db, tokenId: number): Promise<number[]> {
  const rows: { form_type_id: number }[] = await db('partner_scopes').where({ token_id: tokenId }).select('form_type_id');
  return rows.map((r) => Number(r.form_type_id));
}

export interface WebhookRow {
  id: number;
  url: string;
  created_at: number;
}

export async function countLiveWebhooks(db: Db, tokenId: number): Promise<number> {
  const count = await db('webhooks').where({ token_id: tokenId }).whereNull('deleted_at').count({ n: '*' }).first();
  return Number(count?.n ?? 0);
}

export async function insertWebhook(db: Db, w: { tokenId: number; url: string; secret: string; createdAt: number }): Promise<number> {
  const [id] = await db('webhooks').insert({ token_id: w.tokenId, url: w.url, secret: w.secret, created_at: w.createdAt });
  return id;
}

export async function liveWebhooks(db: Db, tokenId: number): Promise<WebhookRow[]> {
  return db('webhooks').where({ token_id: tokenId }).whereNull('deleted_at').orderBy('id').select('id', 'url', 'created_at');
}

/** Marks a live webhook of this key deleted; false when there is none. */
export async function removeWebhook(db: Db, tokenId: number, id: number, now: number): Promise<boolean> {
  return (await db('webhooks').where({ id, token_id: tokenId }).whereNull('deleted_at').update({ deleted_at: now })) > 0;
}
