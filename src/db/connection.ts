import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type { Config } from '../config';

export type Db = Knex;

export function isMysql(db: Db): boolean {
  return db.client.config.client === 'mysql2';
}

/**
 * DATA_DIR holds personal data (the SQLite database, attachments) and the embedded
 * session secret: its owner's only (0700), whatever the umask.
 */
export function privateDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/**
 * The SQLite file and its WAL and shared-memory files: 0600. SQLite gives the WAL and
 * SHM it creates the mode of the database file, so the file is made 0600 before SQLite
 * opens it; files of an older install are tightened too.
 */
function privateSqliteFiles(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) {
      fs.chmodSync(f, 0o600);
    }
  }
}

/** The database named by DATABASE_URL (MySQL/MariaDB), or the embedded SQLite file. */
export function connect(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Db {
  privateDataDir(config.dataDir);
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
  const filename = path.join(config.dataDir, 'guichet.sqlite');
  privateSqliteFiles(filename);
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        // WAL lets the web process read while the worker writes; busy_timeout waits instead of failing.
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        // Deleted rows are overwritten with zeros, not left in free space: the purge's
        // personal data cannot be read back from the file (purgeRequest also empties the WAL).
        conn.pragma('secure_delete = ON');
        done(null, conn);
      },
    },
  });
}

const migrationsDir = path.resolve(__dirname, '../../migrations');

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ directory: migrationsDir, loadExtensions: ['.ts'] });
}
