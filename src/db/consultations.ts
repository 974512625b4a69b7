// Consultations of expert groups (« Demander l'avis d'un expert »): the question an agent
// asks another group about a request, and its answer. The request workflow decides when
// one ends (settleConsultation runs inside its transition); the question and the answer
// are comments of the request, removed at its purge.
import type { Knex } from 'knex';
import type { Db } from './connection';

export type ConsultationStatus = 'PENDING' | 'ANSWERED' | 'WITHDRAWN';

type Conn = Db | Knex.Transaction;

export interface ConsultationRow {
  id: number;
  request_id: number;
  reference: string;
  request_group_id: number | null;
  from_group_id: number | null;
  from_group_name: string | null;
  to_group_id: number;
  to_group_name: string;
  asked_by: number;
  asked_by_name: string;
  question: string | null;
  status: ConsultationStatus;
  asked_at: number;
  answered_by_name: string | null;
  answered_at: number | null;
  answer: string | null;
  form_title: string;
}

function consultationQuery(db: Conn) {
  return db('consultations as c')
    .join('requests as r', 'r.id', 'c.request_id')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .join('groups as tg', 'tg.id', 'c.to_group_id')
    .leftJoin('groups as fg', 'fg.id', 'c.from_group_id')
    .join('agents as asker', 'asker.id', 'c.asked_by')
    .leftJoin('agents as answerer', 'answerer.id', 'c.answered_by')
    .leftJoin('comments as q', 'q.id', 'c.question_comment_id')
    .leftJoin('comments as a', 'a.id', 'c.answer_comment_id')
    .select(
      'c.id', 'c.request_id', 'r.reference', 'r.group_id as request_group_id', 'c.from_group_id', 'fg.name as from_group_name',
      'c.to_group_id', 'tg.name as to_group_name', 'c.asked_by', 'asker.name as asked_by_name', 'q.body as question',
      'c.status', 'c.asked_at', 'answerer.name as answered_by_name', 'c.answered_at', 'a.body as answer', 'f.title as form_title',
    );
}

const normal = (r: ConsultationRow): ConsultationRow => ({
  ...r,
  id: Number(r.id),
  request_id: Number(r.request_id),
  to_group_id: Number(r.to_group_id),
  asked_by: Number(r.asked_by),
  request_group_id: r.request_group_id === null ? null : Number(r.request_group_id),
  asked_at: Number(r.asked_at),
  answered_at: r.answered_at === null ? null : Number(r.answered_at),
});

export async function findConsultation(db: Conn, id: number): Promise<ConsultationRow | undefined> {
  const row = await consultationQuery(db).where('c.id', id).first();
  return row ? normal(row) : undefined;
}

/** A request's consultations, the latest first. */
export async function consultationsOfRequest(db: Conn, requestId: number): Promise<ConsultationRow[]> {
  return (await consultationQuery(db).where('c.request_id', requestId).orderBy('c.id', 'desc')).map(normal);
}

/** The experts' queue: the consultations pending with these groups, oldest first. */
export async function pendingConsultations(db: Conn, groupIds: readonly number[]): Promise<ConsultationRow[]> {
  return (await consultationQuery(db).whereIn('c.to_group_id', [...groupIds, -1]).where('c.status', 'PENDING').orderBy('c.asked_at').orderBy('c.id')).map(normal);
}

/** The questions asked of these groups and not answered yet: a count query, for the nav's badge (src/db/navBadges.ts). */
export const pendingConsultationsCount = (db: Conn, groupIds: readonly number[]): Knex.QueryBuilder =>
  db('consultations').whereIn('to_group_id', [...groupIds, -1]).where({ status: 'PENDING' }).count({ n: '*' });

/** The groups consulted on a request and not answered yet: their members may read it. */
export async function consultedGroupIds(db: Conn, requestId: number): Promise<number[]> {
  return (await db('consultations').where({ request_id: requestId, status: 'PENDING' }).pluck('to_group_id')).map(Number);
}

/** Written before the workflow is asked to wait for it (removed if it refuses, as a hold's reason is). */
export async function insertConsultation(
  db: Conn,
  c: { requestId: number; fromGroupId: number | null; toGroupId: number; askedBy: number; questionCommentId: number; at: number },
): Promise<number> {
  const [id] = await db('consultations').insert({
    request_id: c.requestId, from_group_id: c.fromGroupId, to_group_id: c.toGroupId, asked_by: c.askedBy,
    question_comment_id: c.questionCommentId, status: 'PENDING', asked_at: c.at,
  });
  return Number(id);
}

export async function deleteConsultation(db: Conn, id: number): Promise<void> {
  await db('consultations').where({ id }).delete();
}

/** Ends a pending consultation (inside the workflow's transition); an ended one stays as it ended. */
export async function settleConsultation(
  trx: Conn,
  c: { id: number; status: 'ANSWERED' | 'WITHDRAWN'; agentId: number | null; commentId: number | null },
  at: number,
): Promise<void> {
  await trx('consultations').where({ id: c.id, status: 'PENDING' })
    .update({ status: c.status, answered_by: c.agentId, answered_at: at, answer_comment_id: c.commentId });
}
