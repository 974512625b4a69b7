// The rows of attachments; their files live on disk (src/attachments/files.ts).
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

export async function insertAttachment(db: Db, row: Omit<AttachmentRow, 'id'>): Promise<void> {
  await db('attachments').insert(row);
}

export async function attachmentsOf(db: Db, requestId: number): Promise<AttachmentRow[]> {
  return db('attachments').where({ request_id: requestId }).orderBy('id');
}

/** The files of a request's messages meant for the citizen (never an internal note's). */
export async function visibleFiles(db: Db, requestId: number): Promise<AttachmentRow[]> {
  return db('attachments as a').join('messages as m', 'm.id', 'a.message_id')
    .where('a.request_id', requestId).where('m.visible', true).orderBy('a.id').select('a.*');
}
