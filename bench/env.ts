import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { createAgentToken } from '../src/admin';
import { COMMAND_LINE } from '../src/policies';
import { loadConfig, type Config } from '../src/config';
import { connect, migrate, type Db } from '../src/db/connection';
import { DEMO_PARTNER_KEY, seedReferenceData } from '../src/seed/demo';
import { freePort, startDevServer } from '../src/temporal/devServer';
import type { Cleanup } from './cleanup';
import { createMysqlDatabase } from '../src/cluster/guichetDatabase';

/** Everything the measurements need, on a fresh data dir, database and Temporal dev server. */
export interface BenchEnv {
  config: Config;
  /** The environment of the child processes: the same variables `guichet web` / `worker` read. */
  childEnv: NodeJS.ProcessEnv;
  db: Db;
  partnerKey: string;
  agentToken: string;
  databaseLabel: string;
}


/** A MariaDB schema of its own (dropped at the end), so the bench never touches real data. */
export async function createSchema(base: string, cleanup: Cleanup, prefix = 'guichet_bench'): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  await createMysqlDatabase(base, name);
  cleanup.push(`drop schema ${name}`, async () => {
    const again = knexFactory({ client: 'mysql2', connection: base });
    try {
      await again.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await again.destroy();
    }
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startBenchDevServer(cleanup: Cleanup, dataDir: string, log: (line: string) => void): Promise<{ address: string; namespace: string }> {
  const port = await freePort();
  const dev = await startDevServer({ dbFile: path.join(dataDir, 'temporal.sqlite'), port, uiPort: null, namespace: 'default', log });
  cleanup.push('stop the Temporal dev server', () => dev.stop());
  return { address: dev.address, namespace: 'default' };
}

/**
 * `base`: the MariaDB/MySQL server to create a schema on (DATABASE_URL by default), null for SQLite.
 * `temporal`: a Temporal server to use instead of a dev server of its own (a cluster), with a
 * task queue of this run's own, as the cluster may serve others.
 */
export async function prepareEnv(
  cleanup: Cleanup,
  log: (line: string) => void,
  base: string | null = process.env.DATABASE_URL?.trim() || null,
  temporal: { address: string; namespace: string } | null = null,
): Promise<BenchEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-'));
  cleanup.push(`remove ${dataDir}`, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const databaseUrl = base ? await createSchema(base, cleanup) : null;

  const server = temporal ?? await startBenchDevServer(cleanup, dataDir, log);

  const vars: Record<string, string> = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    TEMPORAL_TASK_QUEUE: temporal ? `guichet-bench-${crypto.randomBytes(4).toString('hex')}` : 'guichet-bench',
    SESSION_SECRET: crypto.randomBytes(32).toString('base64url'),
    // 0: the web child listens on a free port and tells us which.
    PORT: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const config = loadConfig(vars);
  const db = connect(config);
  cleanup.push('close the database', () => db.destroy());
  await migrate(db);
  await seedReferenceData(db);
  const agentToken = await createAgentToken(db, COMMAND_LINE, 'amartin');

  // Its processes print to the bench's terminal: their warnings, not a line per request.
  const childEnv: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ...process.env, ...vars };
  if (!databaseUrl) {
    delete childEnv.DATABASE_URL;
  }
  const databaseLabel = databaseUrl ? `MariaDB/MySQL (${new URL(databaseUrl).pathname.slice(1)})` : `SQLite (${dataDir})`;
  return { config, childEnv, db, partnerKey: DEMO_PARTNER_KEY, agentToken, databaseLabel };
}
