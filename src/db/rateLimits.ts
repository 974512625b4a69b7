import { RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { isMysql, type Db } from './connection';

/**
 * A limiter counting in a table of ours (made by a migration), so that the limit holds
 * across all web processes; rate-limiter-flexible has a store for each of our databases.
 */
export async function dbRateLimiter(db: Db, tableName: string, keyPrefix: string, points: number, durationSeconds: number): Promise<RateLimiterAbstract> {
  const common = { storeClient: db, storeType: 'knex', tableName, tableCreated: true, keyPrefix, points, duration: durationSeconds };
  if (isMysql(db)) {
    const [rows] = await db.raw('SELECT DATABASE() AS name');
    return new RateLimiterMySQL({ ...common, dbName: (rows as { name: string }[])[0].name });
  }
  return new RateLimiterSQLite(common);
}

export type Ticket = { ok: true } | { ok: false; waitSeconds: number };

/**
 * Takes one point for `key` before the work it pays for, atomically in the store, so that
 * attempts sent at once cannot all pass a count read before any was added; when none is
 * left, how long to wait. Other errors (the database) are thrown.
 */
export async function takePoint(limiter: RateLimiterAbstract, key: string): Promise<Ticket> {
  try {
    await limiter.consume(key);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) {
      throw err;
    }
    return { ok: false, waitSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
  }
}
