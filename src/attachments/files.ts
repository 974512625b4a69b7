// Attachments are files under DATA_DIR/attachments/<request id>/, never in the database:
// the purge removes the request's folder whole. Their type is read from their first
// bytes, not from their name or the browser's word, so a renamed program is refused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { insertAttachment, type AttachmentRow } from '../db/attachments';
import { t } from '../i18n';

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

export const requestFolder = (config: Config, requestId: number) => path.join(config.dataDir, 'attachments', String(requestId));

export const attachmentPath = (config: Config, row: Pick<AttachmentRow, 'request_id' | 'storage_name'>) =>
  path.join(requestFolder(config, row.request_id), row.storage_name);

/** A file name safe to show and to send back in Content-Disposition. */
const cleanName = (name: string) => name.replace(/[\\/\x00-\x1f"]/g, '_').slice(-200) || 'piece-jointe';

/**
 * Moves the uploads into the request's folder and records them, inside the caller's
 * transaction: if it rolls back, the caller removes the folder's new files.
 */
export async function storeAttachments(
  trx: Knex.Transaction, config: Config, requestId: number, uploads: Upload[], opts: { messageId?: number | null; now: number },
): Promise<string[]> {
  const folder = requestFolder(config, requestId);
  await fs.promises.mkdir(folder, { recursive: true });
  const stored: string[] = [];
  for (const u of uploads) {
    const storageName = crypto.randomUUID();
    const contentType = contentTypeOf(await readHead(u.path))!;
    await fs.promises.copyFile(u.path, path.join(folder, storageName));
    stored.push(path.join(folder, storageName));
    await insertAttachment(trx, {
      request_id: requestId, message_id: opts.messageId ?? null, field_key: opts.messageId ? null : u.field,
      storage_name: storageName, file_name: cleanName(u.fileName), content_type: contentType, size: u.size, created_at: opts.now,
    });
  }
  return stored;
}

export async function removeFiles(files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fs.promises.rm(f, { force: true })));
}

/** The purge's part on disk: every file of the request, gone. */
export async function removeRequestFolder(config: Config, requestId: number): Promise<void> {
  await fs.promises.rm(requestFolder(config, requestId), { recursive: true, force: true });
}
