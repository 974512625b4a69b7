import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type { Config } from '../config';
import { t } from '../i18n';

export type Db = Knex;

export function isMysql(db: Db): boolean {
  return db.client.config.client === 'mysql2';
}

/** SQL of an integer division, floored for the non-negative numbers it is given. */
export const div = (db: Db, expression: string, by: number): string => (isMysql(db) ? `(${expression}) DIV ${by}` : `(${expression}) / ${by}`);

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
      throw new Error(t('cli.config.databaseUrl'));
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
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        keepStatements(conn);
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
  beginImmediate(db);
  return db;
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string, ...internal: unknown[]): unknown;
}

/** The statements of the last queries, kept prepared: knex's client prepares every query again. */
const KEPT_STATEMENTS = 500;

/**
 * Compiling each query's SQL took a tenth of the web's CPU at intake peaks (bench `arrival`,
 * CPU profile). better-sqlite3 runs one statement at a time and never iterates here
 * (src/db/cursor.ts reads SQLite whole), so a statement can be run again as it is. Its own
 * calls (pragma) pass more arguments and are left alone.
 */
function keepStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string, ...internal: unknown[]) => {
    if (internal.length > 0) {
      return prepare(sql, ...internal);
    }
    let statement = kept.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (kept.size >= KEPT_STATEMENTS) {
        kept.delete(kept.keys().next().value!);
      }
    } else {
      kept.delete(sql); // most recently used last
    }
    kept.set(sql, statement);
    return statement;
  };
}

/**
 * Makes the SQLite client's transactions begin IMMEDIATE. A deferred transaction that
 * reads, then writes after another process (the worker) committed, fails at once with
 * SQLITE_BUSY_SNAPSHOT (« database is locked »: busy_timeout cannot wait for it); taking
 * the write lock at BEGIN makes it wait its turn instead. Our transactions all write.
 * The client's name stays 'better-sqlite3' (the rate limiter's store checks it).
 */
function beginImmediate(db: Db): void {
  const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (...args: unknown[]) => object;
  class ImmediateTransaction extends SqliteTransaction {
    begin(this: { query(conn: unknown, sql: string): unknown }, conn: unknown) {
      return this.query(conn, 'BEGIN IMMEDIATE;');
    }
  }
  const client = db.client as { transaction(...args: unknown[]): unknown };
  client.transaction = function transaction(this: unknown, ...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  };
}

const migrationsDir = path.resolve(__dirname, '../../migrations');

/**
 * Brings the schema up to date. Safe when several processes start at once (web and
 * worker on a fresh database): knex creates its own tables without a guard, so the
 * processes take turns behind a lock and the later ones find nothing left to do.
 */
export async function migrate(db: Db, lockTimeoutMs = 120_000): Promise<void> {
  const latest = () => db.migrate.latest({ directory: migrationsDir, loadExtensions: ['.ts'] });
  await (isMysql(db) ? withMysqlLock(db, lockTimeoutMs, latest) : withSqliteLock(db, lockTimeoutMs, latest));
}

/** MySQL/MariaDB: a named lock held by one connection of our own, released even on failure (and by the server if we die). */
async function withMysqlLock(db: Db, timeoutMs: number, fn: () => Promise<unknown>): Promise<void> {
  const conn = await db.client.acquireConnection();
  try {
    // Per database: test schemas (or two Guichets) on one server do not wait for each other.
    const [rows] = await db.raw("SELECT GET_LOCK(LEFT(CONCAT('guichet_migrate:', DATABASE()), 64), ?) AS got", [Math.ceil(timeoutMs / 1000)]).connection(conn);
    if (Number(rows[0]?.got) !== 1) {
      throw new Error(t('cli.config.migrationLock', { seconds: Math.ceil(timeoutMs / 1000) }));
    }
    try {
      await fn();
    } finally {
      await db.raw("SELECT RELEASE_LOCK(LEFT(CONCAT('guichet_migrate:', DATABASE()), 64))").connection(conn);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/**
 * SQLite: an exclusive transaction on a lock file beside the database, held by a
 * connection of its own (the database's own would block our migrations). The
 * operating system drops the lock of a process that dies, so no stale lock is left.
 */
async function withSqliteLock(db: Db, timeoutMs: number, fn: () => Promise<unknown>): Promise<void> {
  const filename = (db.client.config.connection as { filename: string }).filename;
  if (filename === ':memory:') {
    await fn(); // nobody else can see it
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Sqlite = require('better-sqlite3') as new (file: string, options?: { timeout?: number }) => {
    exec(sql: string): void;
    close(): void;
  };
  // No busy timeout: its wait would block this process's event loop (and another knex of
  // this same process holding the lock); we poll instead.
  const lockFile = `${filename}.migrate-lock`;
  fs.closeSync(fs.openSync(lockFile, 'a', 0o600)); // empty, but kept to its owner like the rest of DATA_DIR
  const lock = new Sqlite(lockFile, { timeout: 0 });
  try {
    await takeExclusive(lock, timeoutMs);
    try {
      await fn();
    } finally {
      lock.exec('ROLLBACK');
    }
  } finally {
    lock.close();
  }
}

async function takeExclusive(lock: { exec(sql: string): void }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      lock.exec('BEGIN EXCLUSIVE');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
