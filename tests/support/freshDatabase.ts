// A database of its own for a test that migrates up and down: a new schema on the suite's
// MariaDB (DATABASE_URL), else a new SQLite file; removed afterwards either way.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { connect, type Db } from '../../src/db/connection';

/** What db.migrate takes to run the project's migrations from their TypeScript files. */
export const MIGRATIONS = { directory: path.resolve(__dirname, '../../migrations'), loadExtensions: ['.ts'] };

async function onServer(base: string, sql: string): Promise<void> {
  const admin = knexFactory({ client: 'mysql2', connection: base });
  try {
    await admin.raw(sql);
  } finally {
    await admin.destroy();
  }
}

export async function withFreshDatabase<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-fresh-db-'));
  const base = process.env.DATABASE_URL;
  const schema = `guichet_t_${crypto.randomBytes(4).toString('hex')}`;
  let databaseUrl: string | null = null;
  if (base) {
    await onServer(base, `CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = new URL(base);
    url.pathname = `/${schema}`;
    databaseUrl = url.toString();
  }
  const db = connect({ databaseUrl, dataDir });
  try {
    return await use(db);
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (base) {
      await onServer(base, `DROP DATABASE IF EXISTS \`${schema}\``);
    }
  }
}
