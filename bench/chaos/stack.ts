// The chaos run's system under test: a Temporal dev server, `guichet worker` and `guichet
// web` as processes of their own, a fresh database with a partner key and agent tokens, and
// the SMTP server that records what they send.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createAgentToken } from '../../src/admin';
import { COMMAND_LINE } from '../../src/policies';
import { loadConfig } from '../../src/config';
import { connect, migrate, type Db } from '../../src/db/connection';
import { createScopedKey } from '../../src/partners/keys';
import { seedReferenceData } from '../../src/seed/demo';
import { connectClient } from '../../src/temporal/client';
import { freePort } from '../../src/temporal/devServer';
import { Cleanup } from '../cleanup';
import { createSchema } from '../env';
import { startMailbox, type Mailbox } from './mailbox';
import { GuichetProcess, TemporalServer } from './services';
import type { ManagedProcess } from '../../src/cluster/process';

export interface ChaosOptions {
  requests: number;
  /** seconds over which the journeys start */
  durationS: number;
  /** seconds the Temporal server stays down */
  outageS: number;
  /** how long to wait, at most, for everything to settle after the load (s) */
  settleS: number;
  seed: number;
  /** keep the data directory (database, Temporal state) for a post-mortem */
  keep: boolean;
  /** false: the same load without any kill, for a baseline */
  faults: boolean;
  /** the production shape (src/cluster): two Temporal nodes, two webs, two workers behind proxies; MariaDB */
  cluster?: boolean;
}

/** 1 000 journeys over 4 minutes; fewer journeys, a shorter load (never under 90 s: the faults need room). */
export function defaultDuration(requests: number): number {
  return Math.max(90, Math.round(requests * 0.24));
}

export type Log = (line: string) => void;

/** Which code ran: the commit, and how many files differed from it (others may be editing the tree). */
export function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + ${dirty} uncommitted file(s)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

export interface Stack {
  db: Db;
  client: Client;
  /** the processes the faults kill: one of each kind */
  temporal: ManagedProcess;
  worker: ManagedProcess;
  web: ManagedProcess;
  /** the other processes (the cluster's second node, web and worker): watched, never killed */
  others: ManagedProcess[];
  /** what the Guichet processes use as TEMPORAL_ADDRESS */
  temporalAddress: string;
  mailbox: Mailbox;
  partnerKey: string;
  agentTokens: string[];
  baseUrl: string;
  logDir: string;
  databaseLabel: string;
}

export const mysqlLabel = (url: string): string => `MariaDB/MySQL (${new URL(url).pathname.slice(1)})`;

/** The database migrated and seeded, with the partner key and the agents' tokens the journeys use. */
export async function prepareData(cleanup: Cleanup, vars: Record<string, string>): Promise<{ db: Db; partnerKey: string; agentTokens: string[] }> {
  const db = connect(loadConfig(vars));
  cleanup.push('close the database', () => db.destroy());
  await migrate(db);
  await seedReferenceData(db);
  // One agent of the service gets an information e-mail per new request, the two others
  // the daily digest: three e-mails per request (receipt, information, acknowledgement or
  // closing) rather than five keep the worker's steady load well under what it can send.
  await db('agents').whereIn('code', ['admin', 'bdurand']).update({ new_request_emails: 'DIGEST' });
  const partnerKey = (await createScopedKey(db, 'Chaos', ['acte-naissance', 'acte-mariage'])).secret;
  const agentTokens = [await createAgentToken(db, COMMAND_LINE, 'amartin'), await createAgentToken(db, COMMAND_LINE, 'bdurand')];
  return { db, partnerKey, agentTokens };
}

/** The run's log dir (kept), data dir, database (a fresh MariaDB schema when DATABASE_URL is set) and SMTP server. */
export async function chaosBasics(cleanup: Cleanup, opts: ChaosOptions, log: Log): Promise<{ logDir: string; dataDir: string; databaseUrl: string | null; mailbox: Mailbox }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `guichet-chaos-${stamp}-`));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-chaos-data-'));
  cleanup.push(`remove ${dataDir}`, () => (opts.keep ? log(`data kept in ${dataDir}`) : fs.rmSync(dataDir, { recursive: true, force: true })));
  const base = process.env.DATABASE_URL?.trim() || null;
  // --keep keeps the schema too: its drop goes to a cleanup that never runs.
  const databaseUrl = base ? await createSchema(base, opts.keep ? new Cleanup() : cleanup, 'guichet_chaos') : null;
  if (databaseUrl && opts.keep) {
    log(`database kept after the run: ${databaseUrl}`);
  }
  const mailbox = await startMailbox();
  cleanup.push('stop the SMTP server', () => mailbox.close());
  return { logDir, dataDir, databaseUrl, mailbox };
}

export async function startStack(cleanup: Cleanup, opts: ChaosOptions, log: Log): Promise<Stack> {
  const { logDir, dataDir, databaseUrl, mailbox } = await chaosBasics(cleanup, opts, log);
  const temporal = new TemporalServer(path.join(logDir, 'temporal.log'), await freePort(), path.join(dataDir, 'temporal.sqlite'));
  await temporal.start();
  cleanup.push('stop the Temporal dev server', () => temporal.stop());

  const webPort = await freePort();
  const vars: Record<string, string> = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'guichet-chaos',
    PORT: String(webPort),
    PUBLIC_URL: `http://127.0.0.1:${webPort}`,
    SMTP_URL: mailbox.url,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const { db, partnerKey, agentTokens } = await prepareData(cleanup, vars);

  const env: NodeJS.ProcessEnv = { ...process.env, ...vars };
  if (!databaseUrl) {
    delete env.DATABASE_URL;
  }
  const worker = new GuichetProcess('worker', path.join(logDir, 'worker.log'), env);
  const web = new GuichetProcess('web', path.join(logDir, 'web.log'), env, webPort);
  cleanup.push('stop guichet worker', () => worker.stop());
  cleanup.push('stop guichet web', () => web.stop());
  await Promise.all([worker.start(), web.start()]);
  const client = await connectClient(temporal.address, 'default');
  cleanup.push('close the Temporal client', () => client.connection.close());
  const databaseLabel = databaseUrl ? mysqlLabel(databaseUrl) : `SQLite (${dataDir})`;
  return { db, client, temporal, worker, web, others: [], temporalAddress: temporal.address, mailbox, partnerKey, agentTokens, baseUrl: `http://127.0.0.1:${webPort}`, logDir, databaseLabel };
}
