import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import knexFactory from 'knex';
import { createAgentToken } from '../../src/admin';
import { COMMAND_LINE } from '../../src/policies';
import type { Ctx } from '../../src/commands/context';
import { loadConfig, type Config } from '../../src/config';
import { connect, migrate, type Db } from '../../src/db/connection';
import type { DeliveryHooks } from '../../src/mail/outbox';
import { createTransport } from '../../src/mail/transport';
import { seedReferenceData, DEMO_AGENTS, DEMO_PARTNER_KEY } from '../../src/seed/demo';
import { connectClient } from '../../src/temporal/client';
import { createWorker } from '../../src/temporal/worker';
import { closeWebApp, createWebApp } from '../../src/web/server';
import { startSmtp, type ReceivedMail } from './smtp';

export interface Harness {
  config: Config;
  /** The environment of a child process that must use this harness's database, Temporal and SMTP. */
  env: NodeJS.ProcessEnv;
  db: Db;
  ctx: Ctx;
  baseUrl: string;
  mails: ReceivedMail[];
  partnerKey: string;
  /** agent code → API token */
  tokens: Record<string, string>;
  startWorker(hooks?: DeliveryHooks): Promise<void>;
  stopWorker(): Promise<void>;
  api(method: string, url: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Polls until `fn` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 20000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        return value as NonNullable<T>;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A database of its own for one test file: a fresh SQLite file, or a fresh MariaDB schema when DATABASE_URL is set. */
async function freshDatabase(): Promise<{ databaseUrl: string | null; dataDir: string; drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-test-'));
  const base = process.env.DATABASE_URL;
  if (!base) {
    return { databaseUrl: null, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `guichet_t_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'mysql2', connection: base });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const again = knexFactory({ client: 'mysql2', connection: base });
      await again.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await again.destroy();
    },
  };
}

function quietWorkerLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by an earlier test file in this process
  }
}

export async function startHarness(opts: { worker?: boolean; hooks?: DeliveryHooks; env?: Record<string, string> } = {}): Promise<Harness> {
  const address = process.env.GUICHET_TEST_TEMPORAL;
  if (!address) {
    throw new Error('the Temporal dev server of globalSetup is not running');
  }
  quietWorkerLogs();
  const smtp = await startSmtp();
  const database = await freshDatabase();
  const suffix = crypto.randomBytes(3).toString('hex').toUpperCase();
  // The same settings serve this process and any child process a test starts (CLI, crashing worker).
  const settings: Record<string, string> = {
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl ?? '',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `test-${suffix}`,
    SMTP_URL: smtp.url,
    // Temporal is shared by all test files: a prefix of its own keeps workflow ids apart.
    REFERENCE_PREFIX: `T${suffix}`,
    PUBLIC_URL: 'http://localhost:1',
    // Production refuses to start without one; a random one per test file, as a deployment would.
    SESSION_SECRET: crypto.randomBytes(32).toString('base64url'),
    ...opts.env,
  };
  const config = loadConfig(settings);
  const db = connect(config);
  await migrate(db);
  await seedReferenceData(db);
  const tokens: Record<string, string> = {};
  for (const agent of DEMO_AGENTS) {
    tokens[agent.code] = await createAgentToken(db, COMMAND_LINE, agent.code);
  }
  const client = await connectClient(address, config.temporalNamespace);
  const ctx: Ctx = { db, client, config };
  const transport = createTransport(config.smtpUrl);

  let running: { worker: Worker; done: Promise<void>; close(): Promise<void> } | null = null;
  const startWorker = async (hooks?: DeliveryHooks) => {
    const { worker, connection } = await createWorker({
      db, transport, config, hooks,
      address, namespace: config.temporalNamespace, taskQueue: config.taskQueue,
      workflowBundle: { codePath: process.env.GUICHET_TEST_BUNDLE! },
    });
    running = { worker, done: worker.run(), close: () => connection.close() };
  };
  const stopWorker = async () => {
    if (running) {
      const r = running;
      running = null;
      r.worker.shutdown();
      await r.done;
      await r.close();
    }
  };
  if (opts.worker !== false) {
    await startWorker(opts.hooks);
  }

  const app = createWebApp(ctx);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api = async (method: string, url: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as any };
  };

  return {
    config, env: { ...process.env, ...settings }, db, ctx, baseUrl, mails: smtp.mails, partnerKey: DEMO_PARTNER_KEY, tokens,
    startWorker, stopWorker, api,
    async close() {
      await stopWorker();
      closeWebApp(app);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      transport.close();
      await client.connection.close();
      await smtp.close();
      await db.destroy();
      await database.drop();
    },
  };
}
