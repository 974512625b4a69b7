// The bytes of attachments as the configured store keeps them (a folder on SQLite, chunk
// rows on MySQL/MariaDB), for tests that check copies and purges whatever the database.
import fs from 'node:fs';
import path from 'node:path';
import { attachmentStore, type StoredFile } from '../../src/attachments/store';
import type { Harness } from './harness';

/** An attachment's bytes, read through the store; undefined when it holds none. */
export async function storedBytes(h: Pick<Harness, 'config' | 'db'>, file: StoredFile): Promise<Buffer | undefined> {
  const stream = await attachmentStore(h.config).open(h.db, file);
  if (!stream) {
    return undefined;
  }
  const parts: Buffer[] = [];
  for await (const part of stream) {
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/**
 * How many files the store still holds of these requests: those in their folders, those
 * whose chunks are in the database, and any chunk row whose attachment is gone (none may be).
 */
export async function storedFileCount(h: Pick<Harness, 'config' | 'db'>, requestIds: number[]): Promise<number> {
  const onDisk = requestIds.map((id) => path.join(h.config.dataDir, 'attachments', String(id))).filter((dir) => fs.existsSync(dir))
    .reduce((n, dir) => n + fs.readdirSync(dir).length, 0);
  const inDatabase = await h.db('attachment_chunks as c').join('attachments as a', 'a.id', 'c.attachment_id').whereIn('a.request_id', requestIds)
    .countDistinct({ n: 'c.attachment_id' }).first();
  const orphans = await h.db('attachment_chunks as c').leftJoin('attachments as a', 'a.id', 'c.attachment_id').whereNull('a.id').count({ n: '*' }).first();
  return onDisk + Number(inDatabase?.n ?? 0) + Number(orphans?.n ?? 0);
}
