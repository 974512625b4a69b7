// The rows of splits (« Scinder »): what the agent asked, which requests the split made,
// how it ended. The messages the agent wrote wait here only until they are posted.
import type { Db } from './connection';
import { isUniqueViolation } from './idempotency';

export type SplitStatus = 'PENDING' | 'DONE' | 'REFUSED';

export interface SplitRow {
  id: number;
  original_request_id: number;
  active_original_id: number | null;
  agent_id: number;
  status: SplitStatus;
  refusal: string | null;
  original_message: string | null;
  original_message_id: number | null;
  first_message: string | null;
  second_message: string | null;
  first_request_id: number | null;
  second_request_id: number | null;
  created_at: number;
  finished_at: number | null;
}

/** The ids of the two requests a split made, once it made them. */
export const partIdsOf = (split: SplitRow): [number, number] | null =>
  split.first_request_id === null || split.second_request_id === null ? null : [Number(split.first_request_id), Number(split.second_request_id)];

/**
 * Records a split to run; null when the request is already being split (or was): the
 * unique `active_original_id` lets one split at most hold a request.
 */
export async function insertSplit(
  db: Db,
  s: { originalId: number; agentId: number; originalMessage: string | null; messages: [string, string] },
): Promise<number | null> {
  try {
    const [id] = await db('splits').insert({
      original_request_id: s.originalId, active_original_id: s.originalId, agent_id: s.agentId, status: 'PENDING',
      original_message: s.originalMessage, first_message: s.messages[0], second_message: s.messages[1], created_at: Date.now(),
    });
    return Number(id);
  } catch (err) {
    if (isUniqueViolation(err)) {
      return null;
    }
    throw err;
  }
}

export async function findSplit(db: Db, id: number): Promise<SplitRow | undefined> {
  return db('splits').where({ id }).first();
}

/** Done: the original is closed and its parts run, assigned to the agent. */
export async function markSplitDone(db: Db, id: number): Promise<void> {
  await db('splits').where({ id, status: 'PENDING' }).update({ status: 'DONE', finished_at: Date.now() });
}

/** How the split a request took part in shows on its page: the parts of an original, the original of a part. */
export interface SplitLinks {
  /** this request was split into these (references) */
  parts: string[];
  /** this request is a part of the split of that one (reference) */
  from: string | null;
}

export async function splitLinksOf(db: Db, requestId: number): Promise<SplitLinks> {
  const rows: (SplitRow & { original_reference: string; first_reference: string; second_reference: string })[] = await db('splits as s')
    .join('requests as o', 'o.id', 's.original_request_id')
    .join('requests as a', 'a.id', 's.first_request_id')
    .join('requests as b', 'b.id', 's.second_request_id')
    .where('s.status', 'DONE')
    .where((q) => q.where('s.original_request_id', requestId).orWhere('s.first_request_id', requestId).orWhere('s.second_request_id', requestId))
    .select('s.*', 'o.reference as original_reference', 'a.reference as first_reference', 'b.reference as second_reference');
  const own = rows.find((r) => Number(r.original_request_id) === requestId);
  const parent = rows.find((r) => Number(r.original_request_id) !== requestId);
  return { parts: own ? [own.first_reference, own.second_reference] : [], from: parent?.original_reference ?? null };
}

/** The citizen's e-mail is recorded (it holds the text now, purged with the first part): the split's row keeps no text. */
export async function clearOriginalMessage(db: Db, id: number): Promise<void> {
  await db('splits').where({ id }).update({ original_message: null });
}
