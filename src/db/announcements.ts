import type { Db } from './connection';

/** A request claimed by a batch of information e-mails: what the e-mail lists of it. */
export interface AnnouncedRequest {
  id: number;
  reference: string;
  group_id: number | null;
  form_title: string;
}

/** The request waits for the next batch of information e-mails. */
export async function awaitAnnouncement(db: Db, requestId: number): Promise<void> {
  await db('requests').where({ id: requestId }).whereNull('announced_in').update({ announced_in: 0 });
}

/**
 * The requests of batch `batch`: claimed at its first run (all those waiting then), read
 * again as they were claimed at a retry, so that a retried batch lists the same requests.
 */
export async function claimBatch(db: Db, batch: number): Promise<AnnouncedRequest[]> {
  await db.transaction(async (trx) => {
    if (await trx('announcement_batches').where({ id: batch }).first('id')) {
      return;
    }
    // Two attempts at once: the second insert fails on the key and its attempt is retried.
    await trx('announcement_batches').insert({ id: batch, created_at: Date.now() });
    await trx('requests').where({ announced_in: 0 }).update({ announced_in: batch });
  });
  const rows = await db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .where('r.announced_in', batch)
    .orderBy('r.id')
    .select('r.id', 'r.reference', 'r.group_id', 'f.title as form_title');
  return rows.map((r) => ({ id: Number(r.id), reference: String(r.reference), group_id: r.group_id === null ? null : Number(r.group_id), form_title: String(r.form_title) }));
}
