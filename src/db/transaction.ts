import type { Knex } from 'knex';
import type { Db } from './connection';
import { logger } from '../ops/logger';

/**
 * Runs `work` in a transaction: the caller's own when `db` already is one (so that a
 * query function composes into a larger write), else a new one.
 */
export async function inTransaction<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (db.isTransaction) {
    return work(db as Knex.Transaction);
  }
  return db.transaction(work);
}

/** InnoDB chose this transaction as a deadlock's victim: it rolled it back whole, so it may run again. */
export const isDeadlock = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'ER_LOCK_DEADLOCK';

/**
 * Runs `attempt` again when it lost a deadlock, as InnoDB asks (« try restarting
 * transaction »), up to `attempts` times. `attempt` must be whole: one transaction, and
 * whatever it does outside the database undone when it fails. SQLite has no deadlocks: its
 * writers wait their turn.
 */
export async function retryingDeadlocks<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (!isDeadlock(err) || n >= attempts) {
        throw err;
      }
      logger.warn({ err, attempt: n }, 'deadlock lost: the transaction runs again');
    }
  }
}
