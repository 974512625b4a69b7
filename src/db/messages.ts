import type { Db } from './connection';

export interface MessageView {
  id: number;
  author: 'AGENT' | 'CITIZEN';
  agent_name: string | null;
  visible: boolean;
  final: boolean;
  body: string;
  created_at: number;
}

export async function insertMessage(
  db: Db,
  m: { requestId: number; author: 'AGENT' | 'CITIZEN'; agentId: number | null; visible: boolean; final: boolean; body: string },
): Promise<number> {
  return db.transaction(async (trx) => {
    const [id] = await trx('messages').insert({
      request_id: m.requestId, author: m.author, agent_id: m.agentId, visible: m.visible, final: m.final, body: m.body, created_at: Date.now(),
    });
    if (m.author === 'CITIZEN') {
      await trx('requests').where({ id: m.requestId }).increment('citizen_unread', 1);
    }
    return id;
  });
}

export async function deleteMessage(db: Db, id: number): Promise<void> {
  await db('messages').where({ id }).delete();
}

/** The thread of a request; `citizenSide` leaves out the internal notes. */
export async function messagesOf(db: Db, requestId: number, citizenSide: boolean): Promise<MessageView[]> {
  const q = db('messages as m').leftJoin('agents as a', 'a.id', 'm.agent_id').where('m.request_id', requestId);
  if (citizenSide) {
    q.where('m.visible', true);
  }
  const rows: MessageView[] = await q.orderBy('m.created_at').orderBy('m.id').select('m.id', 'm.author', 'a.name as agent_name', 'm.visible', 'm.final', 'm.body', 'm.created_at');
  return rows.map((r) => ({ ...r, visible: Boolean(r.visible), final: Boolean(r.final), created_at: Number(r.created_at) }));
}

/** An agent of the service opened the request: its citizen messages are read. */
export async function markRead(db: Db, requestId: number): Promise<void> {
  await db('requests').where({ id: requestId }).where('citizen_unread', '>', 0).update({ citizen_unread: 0 });
}

export async function setWaitingForCitizen(db: Db, requestId: number, waiting: boolean): Promise<void> {
  await db('requests').where({ id: requestId }).update({ waiting_for_citizen: waiting });
}
