// The timers phase of `npm run bench` (`--only timers`): BENCH_TIMERS_REQUESTS (100 000)
// open requests whose first reminder falls due within the same BENCH_TIMERS_WINDOW seconds
// (300), on a Temporal dev server of its own, on the server of TEMPORAL_ADDRESS (a cluster;
// TEMPORAL_NAMESPACE, default « default »), or with BENCH_TIMERS_CLUSTER=1 on the two nodes
// of a throwaway cluster (PostgreSQL, whose CPU falls among « other processes »). The
// requests are written straight into MariaDB (DATABASE_URL's server, or the local one) and
// their workflows started by a bare client, BENCH_TIMERS_CONCURRENCY (200) at a time. The
// window opens BENCH_TIMERS_LEAD seconds (15) after the setup's work is done: the starts,
// then the workflows' first tasks, until the server and the worker use less than a fifth of
// a core (the requests' filing is then moved so that their reminders fall due in the window).
//
// The reminders are the sweep's (src/reminders/sweeper.ts); the workflows hold their deletion
// timers. Two lateness figures per reminder, both against its due time: its wake (when the
// sweep recorded its e-mail) and the e-mail's arrival at the SMTP server in this process. The
// worker runs in a child process, with the environment of this one (its tuning knobs,
// SMTP_MAX_PER_SECOND).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { connectClient } from '../src/temporal/client';
import { DEFAULT_MARIADB } from './backoffice';
import type { Cleanup } from './cleanup';
import { CpuMeter, databaseServerPid, devServerPid, waitForQuiet, type Proc, type Usage } from './cpu';
import { startThrowawayTemporal } from './clusterEnv';
import { prepareEnv } from './env';
import { startChild } from './processes';
import { startMailbox, type ReceivedMail } from './chaos/mailbox';
import { percentile, round1 } from './stats';
import { reminderService, seedTimedRequests, shiftTimedRequests, startTimedWorkflows, type TimedRequest } from './timersSetup';

export interface TimersOptions {
  requests: number;
  windowS: number;
  /** seconds from the end of the setup (the server and the worker quiet) to the window's start; null: 15 */
  leadS: number | null;
  concurrency: number;
}

export interface Lateness {
  p50: number;
  p99: number;
  max: number;
}

export interface TimersFigures {
  requests: number;
  temporal: string;
  setupSeconds: number;
  seedSeconds: number;
  startsPerSec: number;
  startFailures: number;
  /** seconds from the last start until the server and the worker were quiet (their first workflow tasks done) */
  quietSeconds: number;
  /** reminders whose e-mail arrived, of `requests` */
  delivered: number;
  duplicates: number;
  wake: Lateness;
  mail: Lateness;
  mailsPerSec: number;
  peakMailsPerSec: number;
  setupCpu: Usage;
  windowCpu: Usage;
  loadBefore: string;
  loadAfter: string;
}

type Log = (line: string) => void;

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The reminder's e-mail, named in its Message-ID by its key `<reference>:REMINDER_UNPROCESSED:<anchor ms>:<agent>`. */
const REMINDER_ID = /^<((.+):REMINDER_UNPROCESSED:\d+:\d+)@guichet>$/;

function latenessOf(samples: number[]): Lateness {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.reduce((a, b) => Math.max(a, b), 0) };
}

/**
 * Per reminder (the first copy of each): wake lateness (when the sweep recorded its e-mail,
 * `recordedAt` by key) and arrival lateness; how many copies came twice.
 */
function measure(requests: TimedRequest[], received: ReceivedMail[], recordedAt: Map<string, number>) {
  const dueOf = new Map(requests.map((r) => [r.reference, r.dueAt]));
  const seen = new Set<string>();
  const wake: number[] = [];
  const mail: number[] = [];
  const arrivals: number[] = [];
  let duplicates = 0;
  for (const m of received) {
    const match = REMINDER_ID.exec(m.messageId);
    const dueAt = match ? dueOf.get(match[2]) : undefined;
    if (!match || dueAt === undefined) {
      continue;
    }
    if (seen.has(m.messageId)) {
      duplicates += 1;
      continue;
    }
    seen.add(m.messageId);
    wake.push((recordedAt.get(match[1]) ?? Number.NaN) - dueAt);
    mail.push(m.at - dueAt);
    arrivals.push(m.at);
  }
  return { delivered: seen.size, duplicates, wake: latenessOf(wake), mail: latenessOf(mail), ...rates(arrivals) };
}

/** The mean rate from the first e-mail to the last, and the busiest second's. */
function rates(arrivals: number[]): { mailsPerSec: number; peakMailsPerSec: number } {
  if (arrivals.length < 2) {
    return { mailsPerSec: arrivals.length, peakMailsPerSec: arrivals.length };
  }
  const first = arrivals[0];
  const last = arrivals[arrivals.length - 1];
  const perSecond = new Map<number, number>();
  for (const at of arrivals) {
    const s = Math.floor(at / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  return { mailsPerSec: arrivals.length / Math.max((last - first) / 1000, 1e-3), peakMailsPerSec: Math.max(...perSecond.values()) };
}

/**
 * Until every reminder has arrived; or, once the window is over, until none arrived for
 * `idleMs` (a loaded machine may take minutes for the first), or an hour has passed.
 */
async function waitForReminders(received: ReceivedMail[], expected: number, windowEnd: number, idleMs: number, log: Log): Promise<void> {
  let count = received.length;
  let lastChange = Date.now();
  let lastLog = 0;
  while (received.length < expected) {
    await sleep(1000);
    const now = Date.now();
    if (received.length !== count) {
      count = received.length;
      lastChange = now;
    }
    if (now - lastLog > 30_000) {
      lastLog = now;
      log(`timers: ${received.length} of ${expected} reminder e-mails arrived`);
    }
    if (now > windowEnd + 3600_000 || (now > windowEnd && now - Math.max(lastChange, windowEnd) > idleMs)) {
      log(`timers: giving up with ${received.length} of ${expected} (none for ${round1((now - lastChange) / 1000)} s)`);
      return;
    }
  }
}

interface TimersTemporal {
  address: string;
  namespace: string;
  label: string;
  /** its processes, metered and watched until quiet */
  procs: Proc[];
}

/**
 * The server of TEMPORAL_ADDRESS; with BENCH_TIMERS_CLUSTER=1, the Temporal of a throwaway
 * cluster (two nodes on PostgreSQL, as `npm run bench -- --only cluster` starts it, without
 * Guichet's processes: the bench runs its own worker); otherwise null, a dev server of its own.
 */
async function timersTemporal(cleanup: Cleanup, log: Log): Promise<TimersTemporal | null> {
  const address = process.env.TEMPORAL_ADDRESS?.trim();
  if (address) {
    const namespace = process.env.TEMPORAL_NAMESPACE?.trim() || 'default';
    return { address, namespace, label: `${address} (namespace ${namespace})`, procs: [] };
  }
  if (process.env.BENCH_TIMERS_CLUSTER !== '1') {
    return null;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-cluster-'));
  cleanup.push(`remove ${dataDir}`, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const cluster = await startThrowawayTemporal(cleanup, {
    prefix: 'guichet_bench', dataDir, databaseUrl: process.env.DATABASE_URL?.trim() || DEFAULT_MARIADB, workers: 0, log, guichetEnv: {},
  });
  const procs = cluster.nodes.map((n, i) => ({ label: `temporal-${i + 1}`, pid: n.pid ?? -1 }));
  return { address: cluster.temporalAddress, namespace: 'default', label: `cluster of ${procs.length} nodes on PostgreSQL behind ${cluster.temporalAddress}`, procs };
}

export async function benchTimers(cleanup: Cleanup, opts: TimersOptions, log: Log): Promise<TimersFigures> {
  const mailbox = await startMailbox();
  cleanup.push('stop the SMTP server', () => mailbox.close());
  const temporal = await timersTemporal(cleanup, log);
  const env = await prepareEnv(cleanup, log, process.env.DATABASE_URL?.trim() || DEFAULT_MARIADB, temporal);
  const temporalLabel = temporal?.label ?? 'dev server of its own';
  log(`timers: database ${env.databaseLabel}; Temporal ${temporalLabel}`);
  const formTypeId = await reminderService(env.db);
  const worker = await startChild(['worker'], { ...env.childEnv, SMTP_URL: mailbox.url });
  cleanup.push('stop the worker', () => worker.stop());
  const client = await connectClient(env.config.temporalAddress!, env.config.temporalNamespace);
  cleanup.push('close the Temporal client', () => client.connection.close());
  const procs: Proc[] = [
    ...(temporal ? temporal.procs : [{ label: 'temporal', pid: devServerPid() ?? -1 }]),
    { label: 'bench (SMTP server, client)', pid: process.pid },
    { label: 'worker', pid: worker.pid },
    ...(databaseServerPid() === null ? [] : [{ label: 'mariadbd (shared)', pid: databaseServerPid()! }]),
  ];
  const meter = new CpuMeter(() => procs);

  const loadBefore = loadAverage();
  const setupStart = Date.now();
  // Filed as if due in a day: the window is set once the setup's work is done (below).
  const placeholder = setupStart + 24 * 3600_000;
  log(`timers: seeding ${opts.requests} open requests, reminders due within ${opts.windowS} s…`);
  meter.begin();
  const seeded = await seedTimedRequests(env.db, formTypeId, opts.requests, { startAt: placeholder, ms: opts.windowS * 1000 });
  const seedSeconds = (Date.now() - setupStart) / 1000;
  log(`timers: seeded in ${round1(seedSeconds)} s; starting the workflows, ${opts.concurrency} at a time…`);
  const startsBegan = Date.now();
  const startFailures = await startTimedWorkflows(client, seeded, {
    taskQueue: env.config.taskQueue,
    concurrency: opts.concurrency,
    idPrefix: temporal ? `bench-${crypto.randomBytes(3).toString('hex')}-` : '',
    expiresAt: Date.now() + 4 * 3600_000,
  });
  const startsEnded = Date.now();
  // The server and the worker still run the workflows' first tasks: the window waits for them.
  const quietSeconds = await waitForQuiet(procs.filter((p) => p.label.startsWith('temporal') || p.label === 'worker').map((p) => p.pid), 0.2, 5000, 3600_000);
  const setupEnd = Date.now();
  const setupCpu = meter.end();
  const windowStart = setupEnd + 1000 * (opts.leadS ?? 15);
  const windowEnd = windowStart + opts.windowS * 1000;
  const requests = await shiftTimedRequests(env.db, formTypeId, seeded, windowStart - placeholder);
  log(`timers: set up in ${round1((setupEnd - setupStart) / 1000)} s (${startFailures} starts failed, then ${round1(quietSeconds)} s until the server and the worker were quiet); the window opens at ${new Date(windowStart).toISOString()}`);
  await sleep(Math.max(0, windowStart - Date.now()));
  meter.begin();
  await waitForReminders(mailbox.mails, requests.length, windowEnd, 300_000, log);
  const windowCpu = meter.end();
  const recorded: { idempotency_key: string; created_at: number | string }[] = await env.db('emails').where({ kind: 'REMINDER_UNPROCESSED' }).select('idempotency_key', 'created_at');
  const recordedAt = new Map(recorded.map((r) => [r.idempotency_key, Number(r.created_at)]));
  return {
    requests: requests.length,
    temporal: temporalLabel,
    setupSeconds: (setupEnd - setupStart) / 1000,
    seedSeconds,
    startsPerSec: requests.length / Math.max((startsEnded - startsBegan) / 1000, 1e-3),
    startFailures,
    quietSeconds,
    ...measure(requests, mailbox.mails, recordedAt),
    setupCpu,
    windowCpu,
    loadBefore,
    loadAfter: loadAverage(),
  };
}

const describe = (l: Lateness) => `p50 ${round1(l.p50)} ms, p99 ${round1(l.p99)} ms, max ${round1(l.max)} ms`;

export function reportTimers(f: TimersFigures, log: Log): void {
  log('');
  log(`timers   ${f.requests} open requests, reminders due within one window; Temporal ${f.temporal}`);
  log(`         setup ${round1(f.setupSeconds)} s (seeding ${round1(f.seedSeconds)} s, then ${round1(f.startsPerSec)} workflow starts/s, ${f.startFailures} failed, then ${round1(f.quietSeconds)} s until quiet)`);
  log(`         CPU (setup): ${f.setupCpu.text}`);
  log(`         ${f.delivered} reminders e-mailed of ${f.requests}, ${f.duplicates} sent twice`);
  log(`         lateness of the reminder's wake (its e-mail recorded by the sweep): ${describe(f.wake)} (goal p99 < 2000 ms)`);
  log(`         lateness of the e-mail handed to SMTP: ${describe(f.mail)}`);
  log(`         ${round1(f.mailsPerSec)} reminder e-mails/s (busiest second ${f.peakMailsPerSec})`);
  log(`         CPU (window): ${f.windowCpu.text}`);
  log(`         load average ${f.loadBefore} → ${f.loadAfter} (${os.availableParallelism()} cores)`);
}

/** The keys this phase adds to the last JSON line. */
export function timersJson(f: TimersFigures): Record<string, number> {
  return {
    timersRequests: f.requests,
    timersSetupSeconds: round1(f.setupSeconds),
    timersWakeP50Ms: round1(f.wake.p50),
    timersWakeP99Ms: round1(f.wake.p99),
    timersWakeMaxMs: round1(f.wake.max),
    timersMailP50Ms: round1(f.mail.p50),
    timersMailP99Ms: round1(f.mail.p99),
    timersMailMaxMs: round1(f.mail.max),
    timersMailsPerSec: round1(f.mailsPerSec),
    timersDelivered: f.delivered,
    timersDuplicates: f.duplicates,
  };
}
