// Run once per jest process by globalSetup (node --require tsx/cjs): migrates and seeds the
// template database that every test file's database is a copy of (see templateDatabase.ts),
// then writes what a copy needs to know to the file named by TEMPLATE_MANIFEST.
import fs from 'node:fs';
import { loadConfig } from '../../src/config';
import { connect, isMysql, migrate, type Db } from '../../src/db/connection';
import { seedReferenceData } from '../../src/seed/demo';
import type { ClockColumn, TemplateManifest } from './templateDatabase';

/** The columns in which the seed wrote its clock (created_at, presence_since…): a copy moves them to its own moment. */
async function clockColumns(db: Db, tables: string[], from: number, to: number): Promise<ClockColumn[]> {
  const found: ClockColumn[] = [];
  for (const table of tables) {
    const columns = Object.keys(await db(table).columnInfo());
    for (const column of columns.filter((c) => /_(at|since)$/.test(c))) {
      const [{ n }] = await db(table).whereBetween(column, [from, to]).count({ n: '*' });
      if (Number(n) > 0) {
        found.push({ table, column, from, to });
      }
    }
  }
  return found;
}

async function tableNames(db: Db): Promise<string[]> {
  if (isMysql(db)) {
    const [rows] = await db.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name");
    return (rows as { name: string }[]).map((r) => r.name);
  }
  const rows: { name: string }[] = await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  return rows.map((r) => r.name);
}

/** MariaDB: each table's CREATE TABLE (with its foreign keys, which CREATE TABLE … LIKE would drop) and whether it has rows. */
async function mysqlTables(db: Db, tables: string[]): Promise<TemplateManifest['tables']> {
  const out: TemplateManifest['tables'] = [];
  for (const name of tables) {
    const [rows] = await db.raw('SHOW CREATE TABLE ??', [name]);
    const [{ n }] = await db(name).count({ n: '*' });
    out.push({ name, create: (rows as Record<string, string>[])[0]['Create Table'], hasRows: Number(n) > 0 });
  }
  return out;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const db = connect(config);
  try {
    await migrate(db);
    const from = Date.now();
    await seedReferenceData(db);
    const to = Date.now();
    const tables = await tableNames(db);
    const manifest: TemplateManifest = {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      tables: isMysql(db) ? await mysqlTables(db, tables) : [],
      clock: await clockColumns(db, tables, from, to),
    };
    fs.writeFileSync(process.env.TEMPLATE_MANIFEST!, JSON.stringify(manifest));
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
