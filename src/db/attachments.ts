// The rows of attachments; their bytes are in the attachment store (src/attachments/store.ts).
import type { Doomed } from '../attachments/store';
import type { Db } from './connection';

export interface AttachmentRow {
  id: number;
  request_id: number;
  message_id: number | null;
  field_key: string | null;
  storage_name: string;
  file_name: string;
  content_type: string;
  size: number;
  created_at: number;
}

/** Records an attachment; its id. */
export async function insertAttachment(db: Db, row: Omit<AttachmentRow, 'id'> & { source_reference?: string | null }): Promise<number> {
  const [id] = await db('attachments').insert(row);
  return Number(id);
}

/** The rows of the attachments to delete (the store deletes their bytes first). */
export function doomedAttachments(db: Db, doomed: Doomed) {
  return 'requestIds' in doomed
    ? db('attachments').whereIn('request_id', doomed.requestIds)
    : db('attachments').whereIn('id', doomed.files.map((f) => f.id));
}

export async function attachmentsOf(db: Db, requestId: number): Promise<AttachmentRow[]> {
  return db('attachments').where({ request_id: requestId }).orderBy('id');
}

/** The files of a request's messages meant for the citizen (never an internal note's). */
export async function visibleFiles(db: Db, requestId: number): Promise<AttachmentRow[]> {
  return db('attachments as a').join('messages as m', 'm.id', 'a.message_id')
    .where('a.request_id', requestId).where('m.visible', true).orderBy('a.id').select('a.*');
}
