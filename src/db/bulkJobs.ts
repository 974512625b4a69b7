import type { Db } from './connection';
import type { BulkAction } from '../../workflows/lifecycle';

export type { BulkAction };
export type BulkOutcome = 'PENDING' | 'OK' | 'REFUSED';

export interface BulkJobRow {
  id: number;
  agent_id: number;
  action: BulkAction;
  closing_code: string | null;
  target_agent_id: number | null;
  notify_citizen: boolean | number;
  total: number;
  created_at: number;
  finished_at: number | null;
}

export interface BulkItemView {
  request_id: number;
  /** null when the id names no request */
  reference: string | null;
  service_id: number | null;
  group_id: number | null;
  outcome: BulkOutcome;
  message: string | null;
}

/** The job and its items in one transaction: a job exists whole or not at all. */
export async function insertBulkJob(
  db: Db,
  job: { agentId: number; action: BulkAction; closingCode: string | null; targetAgentId: number | null; notifyCitizen: boolean; requestIds: number[] },
): Promise<number> {
  return db.transaction(async (trx) => {
    const [id] = await trx('bulk_jobs').insert({
      agent_id: job.agentId,
      action: job.action,
      closing_code: job.closingCode,
      target_agent_id: job.targetAgentId,
      notify_citizen: job.notifyCitizen,
      total: job.requestIds.length,
      created_at: Date.now(),
    });
    const rows = job.requestIds.map((requestId, position) => ({ job_id: id, request_id: requestId, position, outcome: 'PENDING' }));
    for (let i = 0; i < rows.length; i += 500) {
      await trx('bulk_items').insert(rows.slice(i, i + 500));
    }
    return id;
  });
}

export async function findBulkJob(db: Db, id: number): Promise<BulkJobRow | undefined> {
  return db('bulk_jobs').where({ id }).first();
}

export async function pendingItems(db: Db, jobId: number, limit: number): Promise<number[]> {
  const rows: { request_id: number }[] = await db('bulk_items').where({ job_id: jobId, outcome: 'PENDING' }).orderBy('position').limit(limit).select('request_id');
  return rows.map((r) => r.request_id);
}

export async function itemOutcome(db: Db, jobId: number, requestId: number): Promise<BulkOutcome | undefined> {
  const row = await db('bulk_items').where({ job_id: jobId, request_id: requestId }).first('outcome');
  return row?.outcome;
}

export async function recordOutcome(db: Db, jobId: number, requestId: number, outcome: Exclude<BulkOutcome, 'PENDING'>, message: string | null): Promise<void> {
  await db('bulk_items').where({ job_id: jobId, request_id: requestId, outcome: 'PENDING' }).update({ outcome, message, done_at: Date.now() });
}

export async function finishBulkJob(db: Db, jobId: number): Promise<void> {
  await db('bulk_jobs').where({ id: jobId }).whereNull('finished_at').update({ finished_at: Date.now() });
}

export async function progressOf(db: Db, jobId: number): Promise<Record<BulkOutcome, number>> {
  const rows: { outcome: BulkOutcome; n: number | string }[] = await db('bulk_items').where({ job_id: jobId }).groupBy('outcome').select('outcome').count({ n: '*' });
  const counts: Record<BulkOutcome, number> = { PENDING: 0, OK: 0, REFUSED: 0 };
  for (const r of rows) counts[r.outcome] = Number(r.n);
  return counts;
}

export async function itemsOf(db: Db, jobId: number, outcome: BulkOutcome): Promise<BulkItemView[]> {
  return db('bulk_items as i')
    .leftJoin('requests as r', 'r.id', 'i.request_id')
    .where({ 'i.job_id': jobId, 'i.outcome': outcome })
    .orderBy('i.position')
    .select('i.request_id', 'r.reference', 'r.service_id', 'r.group_id', 'i.outcome', 'i.message');
}
