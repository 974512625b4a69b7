import type { Knex } from 'knex';
import type { Db } from './connection';

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
