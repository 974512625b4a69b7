import crypto from 'node:crypto';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createAgentToken } from '../../src/admin';
import { COMMAND_LINE } from '../../src/policies';
import type { Ctx } from '../../src/commands/context';
import { loadConfig, type Config } from '../../src/config';
import { connect, type Db } from '../../src/db/connection';
import type { DeliveryHooks } from '../../src/mail/outbox';
import { createTransport } from '../../src/mail/transport';
import { DEMO_AGENTS, DEMO_PARTNER_KEY } from '../../src/seed/demo';
import { connectClient } from '../../src/temporal/client';
import { createWorker, type Workers } from '../../src/temporal/worker';
import { closeWebApp, createWebApp, listenWeb } from '../../src/web/server';
import { startSmtp, type ReceivedMail } from './smtp';
import { copyOfTemplate, moveSeedClock } from './templateDatabase';

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

function quietWorkerLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by an earlier test file in this process
  }
}

export interface HarnessOptions {
  worker?: boolean;
  hooks?: DeliveryHooks;
  env?: Record<string, string>;
  /**
   * false: the web sends no receipt at once, every e-mail goes through the worker (the files
   * that test the worker's sending, its crashes and its drain); src/mail/receipt.ts.
   */
  webReceipts?: boolean;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const address = process.env.GUICHET_TEST_TEMPORAL;
  if (!address) {
    throw new Error('the Temporal dev server of globalSetup is not running');
  }
  quietWorkerLogs();
  const smtp = await startSmtp();
  const database = await copyOfTemplate();
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
    // A worker started as a child process finds globalSetup's bundle there instead of bundling again.
    WORKFLOW_BUNDLE_DIR: path.dirname(process.env.GUICHET_TEST_BUNDLE!),
    // One information e-mail per request at once, as the tests read them; batches are tested on their own.
    NEW_REQUEST_BATCH_SECONDS: '0',
    // Tests write past days after the worker has started: the statistics count the requests
    // themselves; the daily aggregates are tested on their own (tests/statisticsFigures.test.ts).
    STATISTICS_REFRESH_MINUTES: '0',
    ...opts.env,
  };
  const config = loadConfig(settings);
  const db = connect(config);
  await moveSeedClock(db);
  const tokens: Record<string, string> = {};
  for (const agent of DEMO_AGENTS) {
    tokens[agent.code] = await createAgentToken(db, COMMAND_LINE, agent.code);
  }
  const client = await connectClient(address, config.temporalNamespace);
  const transport = createTransport(config.smtpUrl);
  const ctx: Ctx = { db, client, config, ...(opts.webReceipts === false ? {} : { transport }) };

  let running: { worker: Workers; done: Promise<void>; close(): Promise<void> } | null = null;
  const startWorker = async (hooks?: DeliveryHooks) => {
    const { worker, connection } = await createWorker({
      // The test's worker stops at the end of each file: on a loaded CI the e-mails it has in
      // flight may take longer than a production grace to go out, and a worker cut short fails the file.
      db, transport, config: { ...config, shutdownGraceSeconds: Math.max(config.shutdownGraceSeconds, 60) }, hooks,
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
  const server = await listenWeb(app, 0, '127.0.0.1');
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
