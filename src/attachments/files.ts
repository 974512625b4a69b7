// Uploaded files becoming attachments: checked, then kept by the attachment store (a folder
// on SQLite, the database on MySQL: src/attachments/store.ts). Their type is read from their
// first bytes, not from their name or the browser's word, so a renamed program is refused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { insertAttachment } from '../db/attachments';
import { t } from '../i18n';
import { attachmentStore } from './store';

export const ATTACHMENT_LIMITS = { files: 5, fileSize: 10 * 1024 * 1024 };

/** An uploaded file waiting in the upload folder, before it becomes an attachment. */
export interface Upload {
  field: string;
  path: string;
  fileName: string;
  size: number;
}


const SIGNATURES: [string, number[]][] = [
  ['application/pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
];

/** PDF, PNG or JPEG by its first bytes; null for anything else. */
export function contentTypeOf(head: Buffer): string | null {
  const found = SIGNATURES.find(([, magic]) => magic.every((b, i) => head[i] === b));
  return found ? found[0] : null;
}

export async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(8);
    await handle.read(buf, 0, 8, 0);
    return buf;
  } finally {
    await handle.close();
  }
}

/** Each upload's problem, by field; an empty object when all are acceptable. */
export async function checkUploads(uploads: Upload[]): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  if (uploads.length > ATTACHMENT_LIMITS.files) {
    errors[uploads[0].field] = t('ui.attachments.tooMany', { files: ATTACHMENT_LIMITS.files });
  }
  for (const u of uploads) {
    if (u.size > ATTACHMENT_LIMITS.fileSize) {
      errors[u.field] = t('ui.attachments.tooBig', { fileName: u.fileName });
    } else if (u.size === 0) {
      errors[u.field] = t('ui.attachments.empty', { fileName: u.fileName });
    } else if (!contentTypeOf(await readHead(u.path))) {
      errors[u.field] = t('ui.attachments.type', { fileName: u.fileName });
    }
  }
  return errors;
}

/** The first problem of a message's files, or null. */
export async function firstUploadProblem(uploads: Upload[]): Promise<string | null> {
  return Object.values(await checkUploads(uploads))[0] ?? null;
}

/** A file name safe to show and to send back in Content-Disposition. */
const cleanName = (name: string) => name.replace(/[\\/\x00-\x1f"]/g, '_').slice(-200) || 'piece-jointe';

/**
 * Records the uploads and gives their bytes to the store, inside the caller's transaction:
 * if it rolls back, the caller gives the files written to the store's `discard`.
 */
export async function storeAttachments(
  trx: Knex.Transaction, config: Config, requestId: number, uploads: Upload[], opts: { messageId?: number | null; now: number },
): Promise<string[]> {
  const store = attachmentStore(config);
  const written: string[] = [];
  for (const u of uploads) {
    const row = {
      request_id: requestId, message_id: opts.messageId ?? null, field_key: opts.messageId ? null : u.field, storage_name: crypto.randomUUID(),
      file_name: cleanName(u.fileName), content_type: contentTypeOf(await readHead(u.path))!, size: u.size, created_at: opts.now,
    };
    const id = await insertAttachment(trx, row);
    written.push(...(await store.save(trx, { ...row, id }, u.path)));
  }
  return written;
}
