// What the operators' endpoints read: a ping for /readyz, and the outbox and webhook
// figures for /metrics. Counts over the (status, created_at) indexes of migration
// 20261202500000_ops_indexes, so that a scrape stays cheap on a large outbox.
import type { Db } from './connection';

export interface OutboxFigures {
  emailsByStatus: Record<string, number>;
  /** Age of the oldest e-mail not sent yet (PENDING or COMMITTING), 0 when there is none. */
  oldestUnsentAgeMs: number;
  webhooksPending: number;
  webhooksFailed: number;
}

const EMAIL_STATUSES = ['PENDING', 'COMMITTING', 'SENT', 'FAILED'] as const;

/** The database answers a trivial query. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.raw('select 1');
}

async function countWhere(db: Db, table: string, status: string): Promise<number> {
  const row = await db(table).where({ status }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function outboxFigures(db: Db, now: number): Promise<OutboxFigures> {
  const counts = await Promise.all(EMAIL_STATUSES.map((status) => countWhere(db, 'emails', status)));
  const oldest = await db('emails').whereIn('status', ['PENDING', 'COMMITTING']).min({ at: 'created_at' }).first();
  const [webhooksPending, webhooksFailed] = await Promise.all([
    countWhere(db, 'webhook_deliveries', 'PENDING'),
    countWhere(db, 'webhook_deliveries', 'FAILED'),
  ]);
  const oldestAt = oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at);
  return {
    emailsByStatus: Object.fromEntries(EMAIL_STATUSES.map((status, i) => [status, counts[i]])),
    oldestUnsentAgeMs: oldestAt === null ? 0 : Math.max(0, now - oldestAt),
    webhooksPending,
    webhooksFailed,
  };
}
