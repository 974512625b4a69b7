// Every test file gets a database of its own. Migrating and seeding each one took seconds
// per file (a minute or more per suite on MariaDB, where each DDL statement is slow), so
// globalSetup migrates and seeds one template per jest process (seedTemplate.ts) and each
// test file copies it: the SQLite file, or on MariaDB a schema of its own made from the
// template's CREATE TABLE statements and rows. A copy is what migrate + seed would have made,
// down to the seed's timestamps, moved to the moment of the copy.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory from 'knex';
import type { Db } from '../../src/db/connection';

/** A column in which the seed wrote Date.now(), and the span of the seed's clock. */
export interface ClockColumn {
  table: string;
  column: string;
  from: number;
  to: number;
}

export interface TemplateManifest {
  databaseUrl: string | null;
  dataDir: string;
  /** MariaDB only: the template's tables, in name order. */
  tables: { name: string; create: string; hasRows: boolean }[];
  clock: ClockColumn[];
}

export interface TestDatabase {
  databaseUrl: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

const SQLITE_FILE = 'guichet.sqlite';
const CHARSET = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci';

function schemaUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(base: string, fn: (admin: Db) => Promise<T>, multipleStatements = false): Promise<T> {
  const admin = knexFactory({ client: 'mysql2', connection: { uri: base.replace(/^mysql2:/, 'mysql:'), multipleStatements } as never, pool: { min: 0, max: 1 } });
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}

/** An empty database: a fresh data folder, and on MariaDB a fresh schema named with `prefix`. */
export async function emptyDatabase(prefix: string): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-test-'));
  const base = process.env.DATABASE_URL;
  const removeDir = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (!base) {
    return { databaseUrl: null, dataDir, drop: removeDir };
  }
  const name = `${prefix}${crypto.randomBytes(4).toString('hex')}`;
  await onServer(base, (admin) => admin.raw(`CREATE DATABASE \`${name}\` ${CHARSET}`));
  return {
    databaseUrl: schemaUrl(base, name),
    dataDir,
    drop: async () => {
      await onServer(base, (admin) => admin.raw(`DROP DATABASE IF EXISTS \`${name}\``));
      await removeDir();
    },
  };
}

/**
 * globalSetup: the template, migrated and seeded in a process of its own (knex loads the .ts
 * migrations through tsx there). One failure on a loaded CI stopped a whole suite before its
 * first test, with the cause scrolled out of the log: it is printed, and tried once more.
 */
export async function createTemplate(manifestFile: string): Promise<TestDatabase> {
  try {
    return await migratedAndSeeded(manifestFile);
  } catch (err) {
    console.error(`globalSetup: ${(err as Error).message}\ntrying once more`);
    return migratedAndSeeded(manifestFile);
  }
}

async function migratedAndSeeded(manifestFile: string): Promise<TestDatabase> {
  const template = await emptyDatabase('guichet_tpl_');
  const env = { ...process.env, DATA_DIR: template.dataDir, DATABASE_URL: template.databaseUrl ?? '', TEMPLATE_MANIFEST: manifestFile };
  try {
    await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'seedTemplate.ts')], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    await template.drop();
    // execFile's message names the command, its exit code or signal, and its stderr.
    throw new Error(`the template database could not be migrated and seeded: ${(err as Error).message}`);
  }
  return template;
}

function readManifest(): TemplateManifest {
  const file = process.env.GUICHET_TEST_TEMPLATE;
  if (!file) {
    throw new Error('the template database of globalSetup is missing');
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TemplateManifest;
}

function copySqlite(manifest: TemplateManifest, dataDir: string): void {
  for (const suffix of ['', '-wal']) {
    const from = path.join(manifest.dataDir, SQLITE_FILE + suffix);
    if (fs.existsSync(from)) {
      const to = path.join(dataDir, SQLITE_FILE + suffix);
      fs.copyFileSync(from, to);
      fs.chmodSync(to, 0o600);
    }
  }
}

/** One round trip: the tables in any order (foreign keys checked only from then on), then the rows. */
async function copySchema(manifest: TemplateManifest, base: string, target: string): Promise<void> {
  const from = new URL(manifest.databaseUrl!).pathname.slice(1);
  const statements = [
    `USE \`${target}\``,
    'SET FOREIGN_KEY_CHECKS = 0',
    ...manifest.tables.map((t) => t.create),
    ...manifest.tables.filter((t) => t.hasRows).map((t) => `INSERT INTO \`${t.name}\` SELECT * FROM \`${from}\`.\`${t.name}\``),
    'SET FOREIGN_KEY_CHECKS = 1',
  ];
  await onServer(base, (admin) => admin.raw(statements.join(';\n')), true);
}

/** A test file's own database: a copy of the template. */
export async function copyOfTemplate(): Promise<TestDatabase> {
  const manifest = readManifest();
  const database = await emptyDatabase('guichet_t_');
  try {
    if (database.databaseUrl) {
      await copySchema(manifest, process.env.DATABASE_URL!, new URL(database.databaseUrl).pathname.slice(1));
    } else {
      copySqlite(manifest, database.dataDir);
    }
  } catch (err) {
    await database.drop();
    throw err;
  }
  return database;
}

/** The seed's timestamps, moved as if it had run now (an agent is « disponible » since the file started, as before). */
export async function moveSeedClock(db: Db): Promise<void> {
  const { clock } = readManifest();
  const shift = Date.now() - Math.max(0, ...clock.map((c) => c.to));
  for (const c of clock) {
    await db(c.table).whereBetween(c.column, [c.from, c.to]).update({ [c.column]: db.raw('?? + ?', [c.column, shift]) });
  }
}
