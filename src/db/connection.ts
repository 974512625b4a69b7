import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type { Config } from '../config';

export type Db = Knex;

export function isMysql(db: Db): boolean {
  return db.client.config.client === 'mysql2';
}

/** The database named by DATABASE_URL (MySQL/MariaDB), or the embedded SQLite file. */
export function connect(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Db {
  if (config.databaseUrl) {
    if (!/^mysql2?:\/\//.test(config.databaseUrl)) {
      throw new Error('DATABASE_URL doit commencer par mysql:// (MySQL ou MariaDB)');
    }
    return knexFactory({
      client: 'mysql2',
      connection: {
        uri: config.databaseUrl.replace(/^mysql2:/, 'mysql:'),
        // Dates are epoch milliseconds in BIGINT columns; keep them numbers.
        supportBigNumbers: true,
        bigNumberStrings: false,
        charset: 'utf8mb4',
      } as Knex.MySql2ConnectionConfig,
      pool: { min: 0, max: 20 },
    });
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(config.dataDir, 'guichet.sqlite') },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        // WAL lets the web process read while the worker writes; busy_timeout waits instead of failing.
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
  });
}

const migrationsDir = path.resolve(__dirname, '../../migrations');

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ directory: migrationsDir, loadExtensions: ['.ts'] });
}
