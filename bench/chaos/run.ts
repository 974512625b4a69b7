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
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Cleanup } from '../cleanup';
import { CpuMeter, type Proc } from '../cpu';
import { check, PURGE_LIMIT_S, type Finding, type Summary } from './checks';
import { Faults } from './faults';
import { makeFlows, runFlow, type Flow } from './flows';
import { Http, HttpStats } from './http';
import { PurgeWatch } from './purgeWatch';
import { startClusterStack } from './clusterStack';
import { codeVersion, startStack, type ChaosOptions, type Log, type Stack } from './stack';

export { defaultDuration, type ChaosOptions } from './stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This process and its children, each labelled with its start number (worker#2): a restarted one is not compared with the killed one. */
function stackProcs(s: Stack): Proc[] {
  const procs: Proc[] = [{ label: 'chaos (clients, SMTP)', pid: process.pid }];
  for (const service of [s.temporal, s.worker, s.web, ...s.others]) {
    if (service.pid !== null) {
      procs.push({ label: `${service.label}#${service.starts}`, pid: service.pid });
    }
  }
  return procs;
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
  const s = await (opts.cluster ? startClusterStack : startStack)(cleanup, opts, log);
  log(`code ${codeVersion()}; ready in ${((Date.now() - began) / 1000).toFixed(0)} s: ${s.databaseLabel}; Temporal on ${s.temporalAddress}; web on ${s.baseUrl}; SMTP on ${s.mailbox.url}; logs in ${s.logDir}`);
  const runId = crypto.randomBytes(3).toString('hex');
  const flows = makeFlows(opts.requests, runId, opts.seed, s.agentTokens);
  const stats = new HttpStats();
  const http = new Http(s.baseUrl, stats);
  const watch = new PurgeWatch(s.db, flows, log);
  const faults = new Faults(s, log, stats);
  const loadMs = opts.durationS * 1000;
  log(`load: ${opts.requests} journeys over ${opts.durationS} s (seed ${opts.seed}); ${opts.faults
    ? `faults at 10 % (worker), 22 % (web), 35 % (Temporal, ${opts.outageS} s), 62 % and 82 % (worker)`
    : 'no faults (--no-faults: a baseline)'}`);

  const t0 = Date.now();
  watch.start();
  // Where the CPU went, every 30 s: on a shared machine, other processes' share explains slow phases.
  const meter = new CpuMeter(() => stackProcs(s));
  meter.begin();
  let ticks = 0;
  const ticker = setInterval(() => {
    log(progressLine((Date.now() - t0) / 1000, flows, stats, s));
    if (++ticks % 3 === 0) {
      log(`cpu (30 s): ${meter.end().text}`);
      meter.begin();
    }
    faults.watch().catch((err: Error) => log(`watch: ${err.message}`));
  }, 10_000);
  try {
    const flowOpts = { partnerKey: s.partnerKey, giveUpMs: 180_000, confirmMs: 90_000, thinkMs: [500, 3000] as [number, number] };
    const journeys = flows.map(async (flow) => {
      await sleep((flow.index * loadMs) / opts.requests);
      await runFlow(http, flow, flowOpts);
    });
    await Promise.all([...journeys, opts.faults ? faults.run(t0, loadMs, opts.outageS) : Promise.resolve()]);
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
    unexpectedExits: faults.unexpectedExits, timeline: faults.timeline, smtpCutOff: s.mailbox.cutOff,
    purges: Object.fromEntries([...watch.purges].map(([ref, p]) => [ref, { ...p, seconds: p.goneAt === null ? null : (p.goneAt - p.closedAt) / 1000 }])),
    flows,
  }, null, 1));
  log(`SMTP connections cut off during a transaction (a sender killed mid-message): ${s.mailbox.cutOff.length}`);
  return { summary, findings, logDir: s.logDir, stats, unexpectedExits: faults.unexpectedExits };
}

export async function runChaos(opts: ChaosOptions): Promise<Summary> {
  const log: Log = (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
  const cleanup = new Cleanup();
  const interrupted = (signal: string) => {
    log(`${signal}: cleaning up…`);
    cleanup.run(log).finally(() => process.exit(130));
  };
  // A bug of the harness itself must not leave the Temporal server, the worker and the web running.
  const crashed = (err: unknown) => {
    log(`chaos: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    cleanup.run(log).finally(() => process.exit(1));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  process.once('uncaughtException', crashed);
  process.once('unhandledRejection', crashed);
  let result;
  try {
    result = await chaos(cleanup, opts, log);
  } finally {
    await cleanup.run(log);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
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
