// The rows of merges (« Fusionner »): which requests, into which new one, how it ended.
// The new request is written here, whole, in one transaction with the copy of the thread.
import { attachmentStore } from '../attachments/store';
import type { Config } from '../config';
import type { Db } from './connection';
import { copyThread } from './copyThread';
import { refreshDeadlines } from './deadlines';
import { deletePersonal, insertRequest, type RequestRow } from './requests';

/** DONE: merged and still undoable; FINAL: its new request was touched, no undo. */
export type MergeStatus = 'PENDING' | 'DONE' | 'FINAL' | 'FAILED' | 'UNDONE';

export interface MergeRow {
  id: number;
  agent_id: number;
  new_request_id: number | null;
  status: MergeStatus;
  refusal: string | null;
  created_at: number;
  done_at: number | null;
  undone_at: number | null;
}

export interface MergeSource {
  requestId: number;
  reference: string;
}

/** Records a merge asked by `agentId` of these requests (in the order given). */
export async function createMerge(db: Db, agentId: number, requestIds: number[], now: number): Promise<number> {
  return db.transaction(async (trx) => {
    const [id] = await trx('merges').insert({ agent_id: agentId, status: 'PENDING', created_at: now });
    await trx('merge_sources').insert(requestIds.map((requestId, position) => ({ merge_id: id, request_id: requestId, position })));
    return Number(id);
  });
}

export async function findMerge(db: Db, id: number): Promise<MergeRow | undefined> {
  return db('merges').where({ id }).first();
}

export async function mergeSources(db: Db, mergeId: number): Promise<MergeSource[]> {
  const rows: { request_id: number; reference: string }[] = await db('merge_sources as m').join('requests as r', 'r.id', 'm.request_id')
    .where('m.merge_id', mergeId).orderBy('m.position').select('m.request_id', 'r.reference');
  return rows.map((r) => ({ requestId: Number(r.request_id), reference: r.reference }));
}

/** The merge that made this request, while it can still be undone, if any. */
export async function mergeThatMade(db: Db, requestId: number): Promise<MergeRow | undefined> {
  return db('merges').where({ new_request_id: requestId, status: 'DONE' }).first();
}

/** The request a merged request went into (its merge done and not undone): where its tracking code leads. */
export async function mergedInto(db: Db, requestId: number): Promise<{ reference: string; tracking_code: string } | undefined> {
  return db('merge_sources as s').join('merges as m', 'm.id', 's.merge_id').join('requests as r', 'r.id', 'm.new_request_id')
    .where('s.request_id', requestId).whereIn('m.status', ['DONE', 'FINAL']).first('r.reference', 'r.tracking_code');
}

export async function setMergeStatus(db: Db, id: number, status: MergeStatus, extra: Partial<MergeRow> = {}): Promise<void> {
  await db('merges').where({ id }).update({ status, ...extra });
}

/** Messages written on the new request since the merge (not copies): it is no longer untouched. */
export async function ownMessageCount(db: Db, requestId: number): Promise<number> {
  const row = await db('messages').where({ request_id: requestId }).whereNull('source_reference').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export type Prepared = { newRequestId: number; reference: string } | { refused: string; reference: string };

/**
 * Writes the new request of a merge: the citizen and answers of the earliest source, its
 * form type and queue, the most urgent priority of all, under way and assigned to the
 * agent who merged; every source's thread copied in. Idempotent: a retry finds it. The
 * sources are checked again inside the transaction (still open), so a source closed
 * meanwhile refuses the merge before anything is written.
 */
export async function prepareMergedRequest(db: Db, config: Config, mergeId: number, now: number): Promise<Prepared> {
  const merge = (await findMerge(db, mergeId))!;
  if (merge.new_request_id !== null) {
    const made = (await db('requests').where({ id: merge.new_request_id }).first('reference')) as { reference: string };
    return { newRequestId: Number(merge.new_request_id), reference: made.reference };
  }
  const sources = await mergeSources(db, mergeId);
  const rows: RequestRow[] = await db('requests').whereIn('id', sources.map((s) => s.requestId)).orderBy('created_at').orderBy('id').select('*');
  const closed = rows.find((r) => r.status === 'CLOTUREE');
  if (closed || rows.length !== sources.length) {
    return { refused: 'MERGE_SOURCE_CLOSED', reference: closed?.reference ?? '' };
  }
  const first = rows[0];
  const personal = await db('request_personal').where({ request_id: first.id }).first();
  const written: string[] = [];
  try {
    const made = await insertRequest(db, {
      prefix: config.referencePrefix, formTypeId: first.form_type_id, serviceId: first.service_id, channel: first.channel, now,
      citizen: { firstName: personal.first_name, lastName: personal.last_name, email: personal.email, phone: personal.phone, address: personal.address },
      answers: JSON.parse(personal.answers) as Record<string, unknown>,
      formVersionId: first.form_version_id, citizenId: first.citizen_id, filedBy: null,
      priority: Math.min(...rows.map((r) => Number(r.priority))),
      groupId: first.group_id,
      alsoWrite: async (trx, id) => {
        written.push(...(await copyThread(trx, config, id, sources)));
        const comment = await trx('comments').insert({ request_id: id, body: sources.map((s) => s.reference).join(', ') });
        await trx('events').where({ request_id: id, seq: 1 }).update({ type: 'MERGED_FROM', agent_id: merge.agent_id, comment_id: comment[0] });
        await trx('requests').where({ id }).update({
          status: 'EN_COURS', assignee_id: merge.agent_id, taken_at: now, workflow_started: true,
        });
        // Taken, in another queue: its deadlines are those of a request in progress.
        await refreshDeadlines(trx, (q) => q.where({ id }));
        const claimed = await trx('merges').where({ id: mergeId, new_request_id: null }).update({ new_request_id: id });
        if (claimed !== 1) {
          throw new Error(`merge ${mergeId} already has its request`); // a concurrent attempt won: rolled back, retried, found
        }
      },
    });
    return { newRequestId: made.id, reference: made.reference };
  } catch (err) {
    await attachmentStore(config).discard(written);
    throw err;
  }
}

/** Undoes prepareMergedRequest when a source refused to close: the new request never existed. */
export async function discardMergedRequest(db: Db, config: Config, mergeId: number): Promise<void> {
  const merge = (await findMerge(db, mergeId))!;
  if (merge.new_request_id === null) {
    return;
  }
  const id = Number(merge.new_request_id);
  const store = attachmentStore(config);
  await db.transaction(async (trx) => {
    await trx('merges').where({ id: mergeId }).update({ new_request_id: null });
    await store.delete(trx, { requestIds: [id] });
    await trx('messages').where({ request_id: id }).delete();
    await trx('events').where({ request_id: id }).update({ comment_id: null });
    await trx('comments').where({ request_id: id }).delete();
    await trx('events').where({ request_id: id }).delete();
    await deletePersonal(trx, id);
    await trx('requests').where({ id }).delete();
  });
  await store.removeFiles({ requestIds: [id] });
}

/** Whether « Annuler la fusion » is to be offered: a merge made it, and nothing was done on it since (no event, no message). */
export async function isUndoableMerge(db: Db, requestId: number): Promise<boolean> {
  if (!(await mergeThatMade(db, requestId))) {
    return false;
  }
  const events = await db('events').where({ request_id: requestId }).count({ n: '*' }).first();
  return Number(events?.n) === 1 && (await ownMessageCount(db, requestId)) === 0;
}
