// The webhooks a partner registers with its key: a URL that receives the status changes
// of the requests of its form types, signed with a secret shown once at registration.
import { CommandError } from '../commands/errors';
import type { Db } from '../db/connection';
import { countLiveWebhooks, insertWebhook, liveWebhooks, removeWebhook } from '../db/partnerKeys';
import { t } from '../i18n';
import { newWebhookSecret } from './signature';

export interface WebhookView {
  id: number;
  url: string;
  createdAt: string;
}

/** A partner keeps a handful of URLs, not an unbounded list. */
const MAX_WEBHOOKS_PER_KEY = 10;

const view = (r: { id: number; url: string; created_at: number }): WebhookView => ({ id: Number(r.id), url: r.url, createdAt: new Date(Number(r.created_at)).toISOString() });

export async function registerWebhook(db: Db, tokenId: number, url: string): Promise<WebhookView & { secret: string }> {
  if ((await countLiveWebhooks(db, tokenId)) >= MAX_WEBHOOKS_PER_KEY) {
    throw new CommandError(409, 'TOO_MANY_WEBHOOKS', t('errors.TOO_MANY_WEBHOOKS', { max: String(MAX_WEBHOOKS_PER_KEY) }));
  }
  const secret = newWebhookSecret();
  const createdAt = Date.now();
  const id = await insertWebhook(db, { tokenId, url, secret, createdAt });
  return { ...view({ id, url, created_at: createdAt }), secret };
}

export async function listWebhooks(db: Db, tokenId: number): Promise<WebhookView[]> {
  return (await liveWebhooks(db, tokenId)).map(view);
}

/** Removes a webhook of this key (another key's is "not found"); its pending deliveries are cancelled when their turn comes. */
export async function deleteWebhook(db: Db, tokenId: number, id: number): Promise<void> {
  if (!(await removeWebhook(db, tokenId, id, Date.now()))) {
    throw CommandError.of(404, 'WEBHOOK_NOT_FOUND');
  }
}
