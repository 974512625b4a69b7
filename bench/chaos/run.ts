// `npm run chaos`: requests flowing through Guichet while its processes are killed.
//
// It starts its own Temporal dev server (state in a file, on a free port), `guichet
// worker` and `guichet web` as separate processes, on a temporary database (SQLite; a
// fresh MariaDB schema, dropped at the end, when DATABASE_URL is set), with a real SMTP
// server in this process that records every message. Then N journeys (1 000 by default)
// arrive evenly over the load period: a partner files a request (with an e-mail address
// and an Idempotency-Key), an agent takes it (acknowledgement e-mail or not), holds it
// (with or without a date), resumes, closes it (closing e-mail or not), through the JSON
// API, retrying what failed as a real client would. Meanwhile: kill -9 of the worker three
// times, of the Temporal dev server once for 30 s, of the web process once, each restarted.
// Then it waits (bounded) for everything to settle and checks, from the clients' records,
// the database, the workflows and the SMTP server: lost, duplicate, missing e-mails, stuck,
// 500 answers, purge delay. Its last line gives those counts; it exits 1 unless all are 0.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createAgentToken } from '../../src/admin';
import { loadConfig } from '../../src/config';
import { connect, migrate, type Db } from '../../src/db/connection';
import { createScopedKey } from '../../src/partners/keys';
import { seedReferenceData } from '../../src/seed/demo';
import { connectClient } from '../../src/temporal/client';
import { freePort } from '../../src/temporal/devServer';
import { Cleanup } from '../cleanup';
import { createSchema } from '../env';
import { check, PURGE_LIMIT_S, type Finding, type Summary } from './checks';
import { makeFlows, runFlow, type Flow } from './flows';
import { Http, HttpStats } from './http';
import { startMailbox, type Mailbox } from './mailbox';
import { PurgeWatch } from './purgeWatch';
import { GuichetProcess, TemporalServer } from './services';

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
}

/** 1 000 journeys over 4 minutes; fewer journeys, a shorter load (never under 90 s: the faults need room). */
export function defaultDuration(requests: number): number {
  return Math.max(90, Math.round(requests * 0.24));
}

type Log = (line: string) => void;

/** Which code ran: the commit, and how many files differed from it (others may be editing the tree). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + ${dirty} uncommitted file(s)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stack {
  db: Db;
  client: Client;
  temporal: TemporalServer;
  worker: GuichetProcess;
  web: GuichetProcess;
  mailbox: Mailbox;
  partnerKey: string;
  agentTokens: string[];
  baseUrl: string;
  logDir: string;
  databaseLabel: string;
}

async function startStack(cleanup: Cleanup, opts: ChaosOptions, log: Log): Promise<Stack> {
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
  const db = connect(loadConfig(vars));
  cleanup.push('close the database', () => db.destroy());
  await migrate(db);
  await seedReferenceData(db);
  // One agent of the service gets an information e-mail per new request, the two others
  // the daily digest: three e-mails per request (receipt, information, acknowledgement or
  // closing) rather than five keep the worker's steady load well under what it can send.
  await db('agents').whereIn('code', ['admin', 'bdurand']).update({ new_request_emails: 'DIGEST' });
  const partnerKey = (await createScopedKey(db, 'Chaos', ['acte-naissance', 'acte-mariage'])).secret;
  const agentTokens = [await createAgentToken(db, 'amartin'), await createAgentToken(db, 'bdurand')];

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
  const databaseLabel = databaseUrl ? `MariaDB/MySQL (${new URL(databaseUrl).pathname.slice(1)})` : `SQLite (${dataDir})`;
  return { db, client, temporal, worker, web, mailbox, partnerKey, agentTokens, baseUrl: `http://127.0.0.1:${webPort}`, logDir, databaseLabel };
}

/** The faults, in order; each one's restart is done before the next one begins. */
class Faults {
  /** processes we stopped on purpose: their absence is not a crash */
  private readonly down = new Set<string>();
  readonly unexpectedExits: string[] = [];
  /** what happened when, for the report */
  readonly timeline: string[] = [];
  done = false;

  constructor(private readonly s: Stack, private readonly log: Log, private readonly stats: HttpStats) {}

  async run(t0: number, loadMs: number, outageS: number): Promise<void> {
    const plan: [number, () => Promise<void>][] = [
      [0.1, () => this.bounce(this.s.worker, 3_000)],
      [0.22, async () => {
        // Killed while a submission is in flight (as far as the clients can tell), so that a
        // filing cut off after its rows were written is part of every run (issue 20).
        const until = Date.now() + 10_000;
        while ((this.stats.inFlight.get('POST /api/requests') ?? 0) === 0 && Date.now() < until) {
          await sleep(5);
        }
        await this.bounce(this.s.web, 2_000);
      }],
      [0.35, () => this.bounce(this.s.temporal, outageS * 1000)],
      [0.62, () => this.bounce(this.s.worker, 3_000)],
      [0.82, () => this.bounce(this.s.worker, 3_000)],
    ];
    for (const [at, fault] of plan) {
      await sleep(Math.max(0, t0 + at * loadMs - Date.now()));
      await fault();
    }
    this.done = true;
  }

  private async bounce(service: TemporalServer | GuichetProcess, pauseMs: number): Promise<void> {
    const label = service.label;
    this.down.add(label);
    const pid = service.pid;
    const inFlight = this.stats.inFlight.get('POST /api/requests') ?? 0;
    await service.kill9();
    this.note(`fault: kill -9 ${label} (pid ${pid}) with ${inFlight} submission(s) in flight; restarting it in ${pauseMs / 1000} s`);
    await sleep(pauseMs);
    const started = Date.now();
    await this.startRetrying(service);
    this.down.delete(label);
    this.note(`fault: ${label} back (pid ${service.pid}) ${((Date.now() - started) / 1000).toFixed(1)} s after its restart began`);
  }

  private note(line: string): void {
    this.timeline.push(`${new Date().toISOString()} ${line}`);
    this.log(line);
  }

  private async startRetrying(service: TemporalServer | GuichetProcess): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await service.start();
        return;
      } catch (err) {
        this.log(`restart of ${service.label} failed (attempt ${attempt}): ${(err as Error).message}`);
        await sleep(2_000);
      }
    }
  }

  /** A process that exited without being killed is a finding; a supervisor (systemd) would restart it, so do we. */
  async watch(): Promise<void> {
    for (const service of [this.s.temporal, this.s.worker, this.s.web]) {
      if (!service.running && !this.down.has(service.label)) {
        this.down.add(service.label);
        this.unexpectedExits.push(`${service.label} at ${new Date().toISOString()}`);
        this.note(`!! ${service.label} exited by itself: restarting it (see its log)`);
        await this.startRetrying(service);
        this.down.delete(service.label);
      }
    }
  }
}

function progressLine(elapsedS: number, flows: Flow[], stats: HttpStats, s: Stack): string {
  const started = flows.filter((f) => f.submit !== null || f.done).length;
  const done = flows.filter((f) => f.done).length;
  const count = (name: string) => flows.reduce((n, f) => n + f.actions.filter((a) => a.name.startsWith(name) && (a.outcome === 'acked' || a.outcome === 'confirmed')).length, 0);
  const submitted = flows.filter((f) => f.submit?.outcome === 'acked').length;
  return `[${elapsedS.toFixed(0).padStart(4)} s] journeys ${done}/${flows.length} done; filed ${submitted}/${started}, taken ${count('take')}, held ${count('hold')}, resumed ${count('resume')}, closed ${count('close')}; `
    + `answers ${stats.describe() || '-'}; retries ${stats.retries}; e-mails received ${s.mailbox.mails.length}`;
}

/**
 * Waits until nothing is left to do: no e-mail being sent or waiting for the workflow
 * (drafts of actions the workflow never accepted wait forever, so the prepared kinds
 * count only once nothing has arrived at the SMTP server for 20 s), every closed request
 * purged, every request with its workflow.
 */
async function settle(s: Stack, watch: PurgeWatch, settleS: number, log: Log): Promise<void> {
  const deadline = Date.now() + settleS * 1000;
  let lastLog = 0;
  let mails = -1;
  let mailsSince = Date.now();
  for (;;) {
    await watch.poll();
    if (s.mailbox.mails.length !== mails) {
      mails = s.mailbox.mails.length;
      mailsSince = Date.now();
    }
    const [{ n: sending }] = await s.db('emails').where((q) => q.where('status', 'COMMITTING')
      .orWhere((p) => p.where('status', 'PENDING').where((k) => k.whereNotIn('kind', ['ACKNOWLEDGEMENT', 'CLOSING']).orWhere('attempts', '>', 0))))
      .count({ n: '*' });
    const [{ n: drafts }] = await s.db('emails').where({ status: 'PENDING', attempts: 0 }).whereIn('kind', ['ACKNOWLEDGEMENT', 'CLOSING']).count({ n: '*' });
    const [{ n: unstarted }] = await s.db('requests').where({ workflow_started: false }).count({ n: '*' });
    const unpurged = watch.pending.length;
    const quiet = Number(sending) === 0 && Number(unstarted) === 0 && unpurged === 0 && Date.now() - mailsSince > 20_000;
    if (quiet || Date.now() > deadline || Date.now() - lastLog > 15_000) {
      log(`settling: ${sending} e-mail(s) being sent, ${drafts} acknowledgement/closing e-mail(s) not tried yet, ${unpurged} closed request(s) not purged, ${unstarted} request(s) without a workflow; e-mails received ${mails}`);
      lastLog = Date.now();
    }
    if (quiet) {
      return;
    }
    if (Date.now() > deadline) {
      log(`settling: gave up after ${settleS} s`);
      return;
    }
    await sleep(2_000);
  }
}

const CATEGORY_ORDER = ['lost', 'duplicate', 'missingEmails', 'stuck', 'purge', 'info'] as const;

function reportFindings(findings: Finding[], log: Log): void {
  for (const category of CATEGORY_ORDER) {
    const list = findings.filter((f) => f.category === category);
    if (list.length === 0) {
      continue;
    }
    log(`${category}: ${list.length}`);
    for (const f of list.slice(0, 25)) {
      log(`  ${f.reference ?? '-'}  ${f.detail}`);
    }
    if (list.length > 25) {
      log(`  … ${list.length - 25} more in report.json`);
    }
  }
}

export function summaryLine(s: Summary): string {
  return `chaos: requests=${s.requests} lost=${s.lost} duplicate=${s.duplicate} missingEmails=${s.missingEmails} stuck=${s.stuck} answers500=${s.answers500} purgeMaxSeconds=${s.purgeMaxSeconds} purgeLate=${s.purgeLate}`;
}

export const failed = (s: Summary): boolean => s.lost + s.duplicate + s.missingEmails + s.stuck + s.answers500 + s.purgeLate > 0;

async function chaos(cleanup: Cleanup, opts: ChaosOptions, log: Log): Promise<{ summary: Summary; findings: Finding[]; logDir: string; stats: HttpStats; unexpectedExits: string[] }> {
  const began = Date.now();
  const s = await startStack(cleanup, opts, log);
  log(`code ${codeVersion()}; ready in ${((Date.now() - began) / 1000).toFixed(0)} s: ${s.databaseLabel}; Temporal on ${s.temporal.address}; web on ${s.baseUrl}; SMTP on ${s.mailbox.url}; logs in ${s.logDir}`);
  const runId = crypto.randomBytes(3).toString('hex');
  const flows = makeFlows(opts.requests, runId, opts.seed, s.agentTokens);
  const stats = new HttpStats();
  const http = new Http(s.baseUrl, stats);
  const watch = new PurgeWatch(s.db, flows, log);
  const faults = new Faults(s, log, stats);
  const loadMs = opts.durationS * 1000;
  log(`load: ${opts.requests} journeys over ${opts.durationS} s (seed ${opts.seed}); faults at 10 % (worker), 22 % (web), 35 % (Temporal, ${opts.outageS} s), 62 % and 82 % (worker)`);

  const t0 = Date.now();
  watch.start();
  const ticker = setInterval(() => {
    log(progressLine((Date.now() - t0) / 1000, flows, stats, s));
    faults.watch().catch((err: Error) => log(`watch: ${err.message}`));
  }, 10_000);
  try {
    const flowOpts = { partnerKey: s.partnerKey, giveUpMs: 180_000, confirmMs: 90_000, thinkMs: [500, 3000] as [number, number] };
    const journeys = flows.map(async (flow) => {
      await sleep((flow.index * loadMs) / opts.requests);
      await runFlow(http, flow, flowOpts);
    });
    await Promise.all([...journeys, faults.run(t0, loadMs, opts.outageS)]);
    log(progressLine((Date.now() - t0) / 1000, flows, stats, s));
    log(`load done in ${((Date.now() - t0) / 1000).toFixed(0)} s; waiting for everything to settle (at most ${opts.settleS} s)…`);
    await settle(s, watch, opts.settleS, log);
  } finally {
    clearInterval(ticker);
    watch.stop();
  }
  log('checking…');
  const { summary, findings } = await check({ db: s.db, client: s.client, flows, mails: s.mailbox.mails, purges: watch.purges, stats });
  fs.writeFileSync(path.join(s.logDir, 'report.json'), JSON.stringify({
    options: opts, summary, findings, answers: Object.fromEntries(stats.byStatus), errors500: stats.errors500,
    unexpectedExits: faults.unexpectedExits, timeline: faults.timeline,
    purges: Object.fromEntries([...watch.purges].map(([ref, p]) => [ref, { ...p, seconds: p.goneAt === null ? null : (p.goneAt - p.closedAt) / 1000 }])),
    flows,
  }, null, 1));
  return { summary, findings, logDir: s.logDir, stats, unexpectedExits: faults.unexpectedExits };
}

export async function runChaos(opts: ChaosOptions): Promise<Summary> {
  const log: Log = (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
  const cleanup = new Cleanup();
  const interrupted = (signal: string) => {
    log(`${signal}: cleaning up…`);
    cleanup.run(log).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let result;
  try {
    result = await chaos(cleanup, opts, log);
  } finally {
    await cleanup.run(log);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  const { summary, findings, logDir, stats, unexpectedExits } = result;
  reportFindings(findings, log);
  for (const e of stats.errors500.slice(0, 10)) {
    log(`500: ${new Date(e.at).toISOString().slice(11, 19)} ${e.what} ${e.body}`);
  }
  log(`answers: ${stats.describe()}; ${stats.calls} calls, ${stats.retries} retries, ${stats.replays} submission(s) answered from their Idempotency-Key; processes that exited by themselves: ${unexpectedExits.length ? unexpectedExits.join(', ') : 'none'}`);
  log(`purge limit ${PURGE_LIMIT_S} s; details in ${path.join(logDir, 'report.json')}, process logs beside it`);
  console.log(summaryLine(summary));
  return summary;
}
