// Copies the thread of one or more requests (messages, form files and message files) into
// another: used by the merge (several sources into a new request) and by the split (one
// source into each new request). Each copy says which request it came from. Files are
// copied, not shared: the purge of a request removes its own folder whole.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { attachmentPath, requestFolder } from '../attachments/files';
import type { Config } from '../config';
import type { AttachmentRow } from './attachments';

export interface ThreadSource {
  requestId: number;
  reference: string;
}

interface MessageRow {
  id: number;
  request_id: number;
  author: string;
  agent_id: number | null;
  visible: boolean | number;
  final: boolean | number;
  body: string;
  created_at: number;
  source_reference: string | null;
}

/**
 * Copies, inside the caller's transaction, the messages of `sources` into `toRequestId`
 * in time order (merged across sources), each marked with its source's reference (a
 * message that was already a copy keeps its first origin), and every file. Returns the
 * files written, which the caller removes if its transaction rolls back.
 */
export async function copyThread(trx: Knex.Transaction, config: Config, toRequestId: number, sources: ThreadSource[]): Promise<string[]> {
  const referenceOf = new Map(sources.map((s) => [s.requestId, s.reference]));
  const ids = sources.map((s) => s.requestId);
  const messages: MessageRow[] = await trx('messages').whereIn('request_id', ids).orderBy('created_at').orderBy('id').select('*');
  const files: AttachmentRow[] = await trx('attachments').whereIn('request_id', ids).orderBy('id').select('*');
  const written: string[] = [];
  const folder = requestFolder(config, toRequestId);
  await fs.promises.mkdir(folder, { recursive: true });
  const copyFile = async (file: AttachmentRow, messageId: number | null): Promise<void> => {
    const storageName = crypto.randomUUID();
    const target = path.join(folder, storageName);
    await fs.promises.copyFile(attachmentPath(config, file), target);
    written.push(target);
    await trx('attachments').insert({
      request_id: toRequestId, message_id: messageId, field_key: file.field_key, storage_name: storageName, file_name: file.file_name,
      content_type: file.content_type, size: file.size, created_at: file.created_at,
      source_reference: (file as AttachmentRow & { source_reference?: string | null }).source_reference ?? referenceOf.get(Number(file.request_id)),
    });
  };
  // Files filed with the forms first (no message), then each message with its own files.
  for (const file of files.filter((f) => f.message_id === null)) {
    await copyFile(file, null);
  }
  for (const m of messages) {
    const [id] = await trx('messages').insert({
      request_id: toRequestId, author: m.author, agent_id: m.agent_id, visible: Boolean(m.visible), final: false, body: m.body,
      created_at: m.created_at, source_reference: m.source_reference ?? referenceOf.get(Number(m.request_id)),
    });
    for (const file of files.filter((f) => f.message_id !== null && Number(f.message_id) === Number(m.id))) {
      await copyFile(file, Number(id));
    }
  }
  return written;
}
