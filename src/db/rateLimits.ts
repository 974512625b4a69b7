import { RateLimiterMySQL, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
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
