// What the e-mails about a request tell of its history.
import type { Db } from './connection';

/** The name of the agent who last reassigned the request, if any. */
export async function lastReassignerName(db: Db, requestId: number): Promise<string | undefined> {
  const row: { name: string } | undefined = await db('events as e')
    .join('agents as a', 'a.id', 'e.agent_id')
    .where({ 'e.request_id': requestId, 'e.type': 'REASSIGNED' })
    .orderBy('e.seq', 'desc')
    .first('a.name');
  return row?.name;
}

/** When the request last went (back) to EN_COURS, if ever. */
export async function inProgressSince(db: Db, requestId: number): Promise<number | undefined> {
  const row: { at?: number | null } | undefined = await db('events')
    .where({ request_id: requestId })
    .whereIn('type', ['TAKEN', 'RESUMED', 'HOLD_ENDED'])
    .max({ at: 'at' })
    .first();
  return row?.at ?? undefined;
}
