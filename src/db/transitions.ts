// The projection of the request workflow: each transition's event and the request's
// columns, written by the workflow's recordTransition activity.
import { refreshDeadlines } from './deadlines';
import type { Knex } from 'knex';
import type { PriorityRank, Status } from '../../workflows/definitions';
import { PRIORITY_CHANGED, TRANSFERRED } from '../../workflows/lifecycle';
import type { Db } from './connection';
import { inTransaction } from './transaction';
import { settleConsultation } from './consultations';
import { moveEvents, scopeOfRequest } from './eventScope';
import { moveNameWords } from './nameWords';

export interface Projection {
  status: Status;
  assigneeId: number | null;
  closingCode: string | null;
  holdUntil: number | null;
  waitingForCitizen: boolean;
  takenAt: number;
  closedAt: number;
  priority: PriorityRank;
  groupId: number;
}

export interface TransitionRecord {
  requestId: number;
  seq: number;
  at: number;
  eventType: string;
  agentId: number | null;
  commentId: number | null;
  /** The citizen e-mail a take or a close carries (its other drafts are then void). */
  emailId?: number | null;
  projection: Partial<Projection>;
  /** the priority a PRIORITY_CHANGED event changed (the new one is the projection's) */
  priorityFrom?: PriorityRank;
  /** the group a TRANSFERRED event moved the request from (the new one is the projection's) */
  groupFrom?: number;
  /** the consultation this transition ends: answered (its answer a comment) or withdrawn, by whom */
  consultation?: { id: number; status: 'ANSWERED' | 'WITHDRAWN'; agentId: number | null; commentId: number | null };
  /** the wrap-up code a CALL_LOGGED event records */
  wrapUpCode?: string;
  /** the duration of a telephone call an APPEL_TELEPHONIQUE event records */
  callSeconds?: number;
}

const projectionColumns = {
  status: 'status',
  assigneeId: 'assignee_id',
  closingCode: 'closing_code',
  holdUntil: 'hold_until',
  waitingForCitizen: 'waiting_for_citizen',
  takenAt: 'taken_at',
  closedAt: 'closed_at',
  priority: 'priority',
  groupId: 'group_id',
} as const;

/**
 * Writes one transition: its event and the projection, in one transaction (the caller's,
 * if `db` is one). Idempotent (a retried activity finds its event), and ordered: a write
 * carrying an older seq than the projection's version does not overwrite it.
 * `alsoWrite` adds the caller's rows of a new event to the same transaction (the webhook
 * deliveries, src/partners/deliveries.ts), after the event and before the projection moves
 * on, so that it still reads the status the transition leaves.
 */
export async function applyTransition(
  db: Db,
  t: TransitionRecord,
  alsoWrite: (trx: Knex.Transaction) => Promise<void> = async () => undefined,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    // Write first: on SQLite a transaction that reads, then writes after another process
    // wrote, fails with SQLITE_BUSY_SNAPSHOT (busy_timeout cannot wait for that), while a
    // first write waits for the lock. On MySQL it serialises the transitions of one request.
    await trx('requests').where({ id: t.requestId }).update({ version: trx.ref('version') });
    const existing = await trx('events').where({ request_id: t.requestId, seq: t.seq }).first('id');
    if (existing) {
      return;
    }
    const { version, ...scope } = await scopeOfRequest(trx, t.requestId);
    // As the projection: a transition written after a later one does not move anything.
    const moved = t.projection.groupId !== undefined && t.projection.groupId !== scope.group_id && version < t.seq;
    if (moved) {
      await moveEvents(trx, t.requestId, t.projection.groupId ?? null);
      await moveNameWords(trx, t.requestId, t.projection.groupId ?? null);
    }
    await trx('events').insert({
      ...scope,
      ...(moved ? { group_id: t.projection.groupId } : {}),
      request_id: t.requestId,
      seq: t.seq,
      type: t.eventType,
      agent_id: t.agentId,
      comment_id: t.commentId,
      // To whom a reassignment gave the request: the history names them (the actor is agent_id).
      target_agent_id: t.eventType === 'REASSIGNED' ? t.projection.assigneeId ?? null : null,
      // What a change of priority changed: « Priorité : moyenne → haute ».
      ...(t.eventType === PRIORITY_CHANGED ? { priority_from: t.priorityFrom ?? null, priority_to: t.projection.priority ?? null } : {}),
      // Which queue it left and which it joined: « Transférée de Accueil à Urbanisme – experts ».
      ...(t.eventType === TRANSFERRED ? { source_group_id: t.groupFrom ?? null, target_group_id: t.projection.groupId ?? null } : {}),
      ...(t.wrapUpCode === undefined ? {} : { wrap_up_code: t.wrapUpCode }),
      ...(t.callSeconds === undefined ? {} : { call_seconds: t.callSeconds }),
      at: t.at,
    });
    const patch: Record<string, unknown> = { version: t.seq, updated_at: t.at };
    if (t.projection.status !== undefined) {
      patch.status_since = t.at;
      patch.reminded_at = null; // a new status starts its own reminders
    }
    for (const [key, column] of Object.entries(projectionColumns)) {
      const value = t.projection[key as keyof typeof projectionColumns];
      if (value !== undefined) {
        patch[column] = value;
      }
    }
    if (t.consultation) {
      await settleConsultation(trx, t.consultation, t.at);
    }
    await voidOtherDrafts(trx, t);
    await alsoWrite(trx);
    await trx('requests').where({ id: t.requestId }).where('version', '<', t.seq).update(patch);
    await refreshDeadlines(trx, (q) => q.where({ id: t.requestId }));
  });
}

const DRAFT_KIND: Record<string, string> = { TAKEN: 'ACKNOWLEDGEMENT', CLOSED: 'CLOSING' };

/**
 * A request is taken once and closed once: when it is, the e-mail the workflow accepted
 * (or none) is the one; drafts of the same kind left by attempts whose answer was lost
 * (kept in case the workflow had them, see runUpdate) will never go. They are marked
 * failed and their text and address removed now, not at the purge.
 */
async function voidOtherDrafts(trx: Knex.Transaction, t: TransitionRecord): Promise<void> {
  const kind = DRAFT_KIND[t.eventType];
  if (!kind) {
    return;
  }
  const others = trx('emails').where({ request_id: t.requestId, kind, status: 'PENDING', attempts: 0 }).whereNot('id', t.emailId ?? 0);
  const ids = (await others.clone().select('id')).map((r: { id: number }) => r.id);
  if (ids.length > 0) {
    await trx('email_contents').whereIn('email_id', ids).delete();
    await trx('emails').whereIn('id', ids).update({ status: 'FAILED', error: 'non envoyé : brouillon d’une tentative qui n’a pas abouti' });
  }
}
