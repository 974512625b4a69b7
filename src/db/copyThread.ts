// Copies the thread of one or more requests (their messages, the files filed with the form
// and the files of the messages) into another request: the split copies its original into
// each new request, the merge several requests into a new one. Every copy says which
// request it came from (its reference, nothing personal). Files are copied, never shared:
// the purge of a request removes its own attachments' bytes, and the copy must outlive it.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { attachmentStore } from '../attachments/store';
import type { Config } from '../config';
import { insertAttachment, type AttachmentRow } from './attachments';

/** A request whose thread is copied. */
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
  body: string;
  created_at: number;
  source_reference: string | null;
}

type SourcedFile = AttachmentRow & { source_reference: string | null };

/**
 * Copies, inside the caller's transaction, the threads of `sources` into `toRequestId`: the
 * messages in time order (across sources), each marked with its source's reference (a copy
 * of a copy keeps its first origin), a final answer copied as a plain message (it closed
 * the source, not the copy), and every file. Returns the files written, which the caller
 * removes if its transaction rolls back.
 */
export async function copyThread(trx: Knex.Transaction, config: Config, toRequestId: number, sources: ThreadSource[]): Promise<string[]> {
  const referenceOf = new Map(sources.map((s) => [s.requestId, s.reference]));
  const ids = sources.map((s) => s.requestId);
  const messages: MessageRow[] = await trx('messages').whereIn('request_id', ids).orderBy('created_at').orderBy('id').select('*');
  const files: SourcedFile[] = await trx('attachments').whereIn('request_id', ids).orderBy('id').select('*');
  const store = attachmentStore(config);
  const written: string[] = [];
  const origin = (row: { source_reference: string | null; request_id: number }) => row.source_reference ?? referenceOf.get(Number(row.request_id)) ?? null;

  const copyFile = async (file: SourcedFile, messageId: number | null): Promise<void> => {
    const row = {
      request_id: toRequestId, message_id: messageId, field_key: file.field_key, storage_name: crypto.randomUUID(), file_name: file.file_name,
      content_type: file.content_type, size: file.size, created_at: file.created_at, source_reference: origin(file),
    };
    const id = await insertAttachment(trx, row);
    written.push(...(await store.copy(trx, file, { ...row, id })));
  };

  try {
    // The files filed with the form first (no message), then each message with its own.
    for (const file of files.filter((f) => f.message_id === null)) {
      await copyFile(file, null);
    }
    for (const m of messages) {
      const [id] = await trx('messages').insert({
        request_id: toRequestId, author: m.author, agent_id: m.agent_id, visible: Boolean(m.visible), final: false, body: m.body,
        created_at: m.created_at, source_reference: origin(m),
      });
      for (const file of files.filter((f) => f.message_id !== null && Number(f.message_id) === Number(m.id))) {
        await copyFile(file, Number(id));
      }
    }
  } catch (err) {
    // The caller's transaction rolls back: the files written so far go with it.
    await store.discard(written);
    throw err;
  }
  return written;
}
