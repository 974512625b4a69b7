import { storeAttachments, type Upload } from '../attachments/files';
import { attachmentStore } from '../attachments/store';
import type { AttachmentRow } from './attachments';
import type { Config } from '../config';
import type { Db } from './connection';

export interface MessageView {
  id: number;
  author: 'AGENT' | 'CITIZEN';
  agent_name: string | null;
  visible: boolean;
  final: boolean;
  body: string;
  created_at: number;
  /** the request it was copied from (a merge or a split), null for a message written here */
  source_reference: string | null;
}

/** A message and its attachments (already checked), written whole or not at all. */
export async function insertMessage(
  db: Db,
  m: { requestId: number; author: 'AGENT' | 'CITIZEN'; agentId: number | null; visible: boolean; final: boolean; body: string },
  files?: { config: Config; uploads: Upload[] },
): Promise<number> {
  const written: string[] = [];
  return db.transaction(async (trx) => {
    const now = Date.now();
    const [id] = await trx('messages').insert({
      request_id: m.requestId, author: m.author, agent_id: m.agentId, visible: m.visible, final: m.final, body: m.body, created_at: now,
    });
    if (m.author === 'CITIZEN') {
      await trx('requests').where({ id: m.requestId }).increment('citizen_unread', 1);
    }
    if (files?.uploads.length) {
      written.push(...(await storeAttachments(trx, files.config, m.requestId, files.uploads, { messageId: id, now })));
    }
    return id;
  }).catch(async (err) => {
    if (files) {
      await attachmentStore(files.config).discard(written);
    }
    throw err;
  });
}

/** Withdraws a message (a final answer whose close was refused), its attachments with it. */
export async function deleteMessage(db: Db, config: Config, id: number): Promise<void> {
  const store = attachmentStore(config);
  const doomed = { files: (await db('attachments').where({ message_id: id })) as AttachmentRow[] };
  await db.transaction(async (trx) => {
    await store.delete(trx, doomed);
    await trx('messages').where({ id }).delete();
  });
  await store.removeFiles(doomed);
}

/** The thread of a request; `citizenSide` leaves out the internal notes. */
export async function messagesOf(db: Db, requestId: number, citizenSide: boolean): Promise<MessageView[]> {
  const q = db('messages as m').leftJoin('agents as a', 'a.id', 'm.agent_id').where('m.request_id', requestId);
  if (citizenSide) {
    q.where('m.visible', true);
  }
  const rows: MessageView[] = await q.orderBy('m.created_at').orderBy('m.id').select('m.id', 'm.author', 'a.name as agent_name', 'm.visible', 'm.final', 'm.body', 'm.created_at', 'm.source_reference');
  return rows.map((r) => ({ ...r, visible: Boolean(r.visible), final: Boolean(r.final), created_at: Number(r.created_at) }));
}

/** An agent of the service opened the request: its citizen messages are read. */
export async function markRead(db: Db, requestId: number): Promise<void> {
  await db('requests').where({ id: requestId }).where('citizen_unread', '>', 0).update({ citizen_unread: 0 });
}
