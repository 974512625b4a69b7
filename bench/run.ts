// `npm run bench`: intake rate and latency through the API, beside the rate at which a
// bare Temporal client starts workflows on the same server, and take/close latencies.
// Everything runs on a fresh temporary data dir, database and Temporal dev server.
//
// Phases: ceiling (bare client) → intake (API) → wait for the worker's backlog → take and
// close → the intake's database writes alone → ceiling again. Each load phase has a 3 s
// warm-up; CPU seconds per process are printed for the first ceiling and the intake.
//
// Layout (BENCH_LAYOUT): by default `split`, the production shape — the web server and
// the worker each in a child process of their own, while this process only generates
// load (autocannon, the ceiling's client) and watches the database. On 2 cores every
// process shares the CPUs anyway; separate processes at least keep the load generator's
// and the worker's JavaScript off the web server's event loop. `together` runs web and
// worker in one child, as `npm start` does. Other knobs: BENCH_DURATION (s, 20),
// BENCH_CONNECTIONS (50), BENCH_ACTIONS (200), BENCH_WORKER_DURING_INTAKE=off (diagnostic).
//
// Then the back-office phase (bench/backoffice.ts, always on MariaDB): list pages and their
// SQL with 100 000 requests, and journal exports. `npm run bench -- --only intake|backoffice`
// (or BENCH_ONLY=…) runs one phase alone. `actions` and `arrival`: bench/arrival.ts. The
// phases that need more than the default machine run only on demand (`--only <phase>`):
// cluster (bench/cluster.ts: MariaDB, the Temporal server built, PostgreSQL). The timers
// phase: bench/timers.ts.
import type { Client } from '@temporalio/client';
import { connectClient } from '../src/temporal/client';
import { fileRequests, measureAction, waitForWorker, type ActionResult, type Drain } from './actions';
import { measureCeiling, type CeilingResult } from './ceiling';
import { benchActions, benchArrival, reportActions, reportArrival, type ActionsFigures, type ArrivalFigures } from './arrival';
import { backofficeJson, benchBackoffice, reportBackoffice, type BackofficeFigures, type BackofficeOptions } from './backoffice';
import { Cleanup } from './cleanup';
import { benchCluster, clusterJson, reportCluster, type ClusterFigures } from './cluster';
import { CpuMeter, databaseServerPid, devServerPid, type Proc, type Usage } from './cpu';
import { probeInsert } from './dbProbe';
import { prepareEnv, type BenchEnv } from './env';
import { measureIntake, type IntakeResult, type LoadOptions } from './intake';
import { measureNext, type NextResult } from './next';
import { startChild, type Child } from './processes';
import { describeLatencies, round1, type Latencies } from './stats';
import { benchMillion, millionJson, reportMillion, type MillionFigures, type MillionOptions } from './million';
import { benchTimers, reportTimers, timersJson, type TimersFigures, type TimersOptions } from './timers';
import { benchExports, benchStatistics, exportsJson, reportExports, reportStatistics, statisticsJson, type ExportsFigures, type StatsFigures } from './statisticsBench';

type Layout = 'split' | 'together';

interface Options extends LoadOptions {
  layout: Layout;
  actions: number;
  /** `off`: the worker is stopped while the intake is measured (a diagnostic: is it competing?) */
  workerDuringIntake: 'on' | 'off';
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer (got "${raw}")`);
  }
  return value;
}

function optionsFromEnv(): Options {
  const layout = process.env.BENCH_LAYOUT ?? 'split';
  if (layout !== 'split' && layout !== 'together') {
    throw new Error(`BENCH_LAYOUT must be split or together (got "${layout}")`);
  }
  const workerDuringIntake = process.env.BENCH_WORKER_DURING_INTAKE === 'off' ? 'off' : 'on';
  if (workerDuringIntake === 'off' && layout !== 'split') {
    throw new Error('BENCH_WORKER_DURING_INTAKE=off needs BENCH_LAYOUT=split');
  }
  return {
    layout,
    workerDuringIntake,
    connections: numberFromEnv('BENCH_CONNECTIONS', 50),
    durationS: numberFromEnv('BENCH_DURATION', 20),
    actions: numberFromEnv('BENCH_ACTIONS', 200),
  };
}

/** The Guichet processes under test; the worker can be stopped and started again. */
class Processes {
  private web!: Child;
  private worker: Child | null = null;
  private readonly temporalPid = devServerPid();
  // Shared with whatever else uses it, hence the label; SQLite runs inside web and worker.
  private readonly databasePid: number | null;

  constructor(private readonly env: BenchEnv, private readonly layout: Layout) {
    this.databasePid = env.config.databaseUrl ? databaseServerPid() : null;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.web.port}`;
  }

  /** The processes whose CPU time the phases report. */
  procs(): Proc[] {
    const list: Proc[] = [{ label: 'bench (load generator)', pid: process.pid }];
    if (this.temporalPid !== null) {
      list.unshift({ label: 'temporal', pid: this.temporalPid });
    }
    list.push({ label: this.layout === 'together' ? 'web+worker' : 'web', pid: this.web.pid });
    if (this.worker) {
      list.push({ label: 'worker', pid: this.worker.pid });
    }
    if (this.databasePid !== null) {
      list.push({ label: 'mariadbd (shared)', pid: this.databasePid });
    }
    return list;
  }

  async start(cleanup: Cleanup): Promise<void> {
    cleanup.push('stop the Guichet processes', () => this.stop());
    if (this.layout === 'together') {
      this.web = await startChild(['web', 'worker'], this.env.childEnv);
      return;
    }
    await this.startWorker();
    this.web = await startChild(['web'], this.env.childEnv);
  }

  async startWorker(): Promise<void> {
    this.worker = await startChild(['worker'], this.env.childEnv);
  }

  async stopWorker(): Promise<void> {
    await this.worker?.stop();
    this.worker = null;
  }

  async stop(): Promise<void> {
    await this.web?.stop();
    await this.stopWorker();
  }
}

interface Figures {
  ceiling: CeilingResult;
  ceilingCpu: Usage;
  /** measured again at the end, so that a drift of the machine during the run shows */
  ceilingAfter: CeilingResult;
  intake: IntakeResult;
  intakeCpu: Usage;
  drain: Drain;
  take: ActionResult;
  close: ActionResult;
  next: NextResult;
  insert: Latencies & { perSec: number };
}

type Log = (line: string) => void;

/** Runs `fn` and says how much CPU each process spent meanwhile. */
async function metered<T>(meter: CpuMeter, fn: () => Promise<T>): Promise<[T, Usage]> {
  meter.begin();
  const result = await fn();
  return [result, meter.end()];
}

async function measureStarts(client: Client, meter: CpuMeter, opts: Options, log: Log, when: string): Promise<[CeilingResult, Usage]> {
  log(`ceiling ${when}: warming up (3 s)…`);
  await measureCeiling(client, { ...opts, durationS: 3 });
  log(`ceiling ${when}: bare client, ${opts.connections} concurrent workflow starts for ${opts.durationS} s…`);
  return metered(meter, () => measureCeiling(client, opts));
}

async function measureApiIntake(env: BenchEnv, procs: Processes, meter: CpuMeter, opts: Options, log: Log): Promise<[IntakeResult, Usage]> {
  log('intake: warming up (3 s)…');
  await measureIntake(procs.baseUrl, env.partnerKey, { ...opts, durationS: 3 });
  await waitForWorker(env.db, 600);
  if (opts.workerDuringIntake === 'off') {
    log('intake: worker stopped for the measurement (BENCH_WORKER_DURING_INTAKE=off)');
    await procs.stopWorker();
  }
  log(`intake: POST /api/requests, ${opts.connections} concurrent clients for ${opts.durationS} s…`);
  return metered(meter, () => measureIntake(procs.baseUrl, env.partnerKey, opts));
}

async function measureActions(env: BenchEnv, procs: Processes, opts: Options, log: Log) {
  log(`take/close: filing ${opts.actions} requests, then take and close each, sequentially…`);
  const references = await fileRequests(procs.baseUrl, env.partnerKey, opts.actions);
  await waitForWorker(env.db, 600);
  const take = await measureAction(procs.baseUrl, env.agentToken, references, 'take');
  const close = await measureAction(procs.baseUrl, env.agentToken, references, 'close');
  return { take, close };
}

/** The issue's figure: 20 agents at once. */
const NEXT_AGENTS = 20;

async function benchmark(cleanup: Cleanup, opts: Options, log: Log): Promise<Figures> {
  const env = await prepareEnv(cleanup, log);
  log(`database: ${env.databaseLabel}; Temporal dev server on ${env.config.temporalAddress}; layout: ${opts.layout}`);
  const procs = new Processes(env, opts.layout);
  await procs.start(cleanup);
  const client = await connectClient(env.config.temporalAddress!, env.config.temporalNamespace);
  cleanup.push('close the Temporal client', () => client.connection.close());
  const meter = new CpuMeter(() => procs.procs());

  // The ceiling first, on a server with no backlog (the intake's workflows keep the worker
  // busy for a while), and once more at the end, once that backlog is done.
  const [ceiling, ceilingCpu] = await measureStarts(client, meter, opts, log, 'before the intake');
  const [intake, intakeCpu] = await measureApiIntake(env, procs, meter, opts, log);
  if (opts.workerDuringIntake === 'off') {
    await procs.startWorker();
  }
  log('intake: waiting for the worker to catch up with the backlog…');
  const drain = await waitForWorker(env.db, 600);
  const { take, close } = await measureActions(env, procs, opts, log);
  log(`suivante: ${NEXT_AGENTS} agents press « Traiter la suivante » at once…`);
  const next = await measureNext(env.db, procs.baseUrl, env.partnerKey, NEXT_AGENTS);
  log('database alone: insertRequest, same concurrency, 5 s…');
  const insert = await probeInsert(env.db, 'PROBE', opts.connections, 5);
  const [ceilingAfter] = await measureStarts(client, meter, opts, log, 'after the intake');
  return { ceiling, ceilingCpu, ceilingAfter, intake, intakeCpu, drain, take, close, next, insert };
}

/** The ceiling the intake is compared with: the mean of the two measurements. */
const ceilingOf = (f: Figures): number => (f.ceiling.perSec + f.ceilingAfter.perSec) / 2;

function describeCeiling(c: CeilingResult): string {
  return `${round1(c.perSec)} starts/s (${c.started} started, ${c.errors} errors${c.firstError ? `: ${c.firstError}` : ''}); start latency ${describeLatencies(c)}`;
}

function report(f: Figures, opts: Options, log: Log): void {
  const { intake, drain } = f;
  log('');
  log(`ceiling  ${round1(ceilingOf(f))} workflow starts/s (mean of before and after)`);
  log(`         before the intake: ${describeCeiling(f.ceiling)}`);
  log(`         after the intake:  ${describeCeiling(f.ceilingAfter)}`);
  log(`         CPU (before): ${f.ceilingCpu.text}`);
  log(`intake   ${round1(intake.perSec)} requests accepted/s (${intake.accepted} × 201 in ${opts.durationS} s, non-2xx ${intake.non2xx}, errors ${intake.errors}, timeouts ${intake.timeouts}, status codes ${JSON.stringify(intake.statusCodes)})`);
  log(`         latency ${describeLatencies(intake)}`);
  log(`         CPU: ${f.intakeCpu.text}`);
  log(`         intake / ceiling = ${round1((100 * intake.perSec) / Math.max(ceilingOf(f), 1e-9))} % (goal ≥ 80 %)`);
  log(drain.seconds === null
    ? `worker   still behind after 600 s (backlog was ${drain.backlog} requests)`
    : `worker   finished the arrival work of ${drain.backlog} requests ${round1(drain.seconds)} s after the load stopped (${round1(drain.backlog / Math.max(drain.seconds, 1e-9))} requests/s)`);
  for (const [name, a] of [['take', f.take], ['close', f.close]] as const) {
    log(`${name.padEnd(8)} ${a.ok} ok, ${a.failed} failed${a.firstFailure ? ` (${a.firstFailure})` : ''}, sequential; ${describeLatencies(a)}`);
  }
  const n = f.next;
  log(`suivante ${n.agents} concurrent agents: ${n.served} served, ${n.distinct} distinct, collisions ${n.collisions}, failed ${n.failed}${n.firstFailure ? ` (${n.firstFailure})` : ''}; ${describeLatencies(n)}`);
  log(`db only  insertRequest ${round1(f.insert.perSec)}/s at ${opts.connections} concurrent; ${describeLatencies(f.insert)}`);
  if (Math.max(f.ceilingCpu.othersShare, f.intakeCpu.othersShare) > 0.15) {
    log('warning  other processes used more than 15 % of the CPU during a measurement: these figures are noisy');
  }
}

export type Phase = 'intake' | 'backoffice' | 'actions' | 'arrival' | 'million' | 'stats' | 'exports' | 'timers' | 'cluster';
const PHASES: readonly Phase[] = ['intake', 'backoffice', 'actions', 'arrival', 'million', 'stats', 'exports', 'timers', 'cluster'];
/**
 * The phases a bare `npm run bench` runs (about 15 minutes). The others only on demand
 * (`--only <phase>`): million, stats and exports seed a million requests first (20 minutes
 * or more the first time), timers sets up 100 000 workflows, and cluster needs the Temporal
 * server built and PostgreSQL.
 */
const DEFAULT_PHASES: readonly Phase[] = ['intake', 'backoffice', 'actions', 'arrival'];

/** `--only <phase>` or BENCH_ONLY: one phase alone; DEFAULT_PHASES otherwise. */
export function phasesOf(only: string | undefined = process.env.BENCH_ONLY): Phase[] {
  if (!only) {
    return [...DEFAULT_PHASES];
  }
  if (!(PHASES as readonly string[]).includes(only)) {
    throw new Error(`--only / BENCH_ONLY must be one of ${PHASES.join(', ')} (got "${only}")`);
  }
  return [only as Phase];
}

function backofficeOptionsFromEnv(): BackofficeOptions {
  return {
    requests: numberFromEnv('BENCH_BACKOFFICE_REQUESTS', 100_000),
    exportRows: numberFromEnv('BENCH_EXPORT_ROWS', 100_000),
    warmup: 20,
    iterations: numberFromEnv('BENCH_PAGE_ITERATIONS', 100),
  };
}

function millionOptionsFromEnv(): MillionOptions {
  return {
    requests: numberFromEnv('BENCH_MILLION_REQUESTS', 1_000_000),
    schema: process.env.BENCH_MILLION_SCHEMA?.trim() || 'guichet_bench_million',
    warmup: numberFromEnv('BENCH_MILLION_WARMUP', 10),
    iterations: numberFromEnv('BENCH_MILLION_ITERATIONS', 40),
  };
}

function timersOptionsFromEnv(): TimersOptions {
  return {
    requests: numberFromEnv('BENCH_TIMERS_REQUESTS', 100_000),
    windowS: numberFromEnv('BENCH_TIMERS_WINDOW', 300),
    leadS: process.env.BENCH_TIMERS_LEAD ? numberFromEnv('BENCH_TIMERS_LEAD', 1) : null,
    concurrency: numberFromEnv('BENCH_TIMERS_CONCURRENCY', 200),
  };
}

/** Runs one phase with a cleanup of its own, undone even when it fails or on Ctrl-C. */
async function withCleanup<T>(log: Log, fn: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  // Ctrl-C must not leave a dev server, a temp dir or a MariaDB schema behind.
  const interrupted = (signal: string) => {
    log(`${signal}: cleaning up…`);
    cleanup.run(log).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await fn(cleanup);
  } finally {
    await cleanup.run(log);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

export async function runBench(only?: string): Promise<void> {
  const phases = phasesOf(only ?? process.env.BENCH_ONLY);
  const opts = optionsFromEnv();
  const backofficeOpts = backofficeOptionsFromEnv();
  const log: Log = (line) => console.log(line);
  let figures: Figures | null = null;
  let backoffice: BackofficeFigures | null = null;
  let timers: TimersFigures | null = null;
  if (phases.includes('intake')) {
    figures = await withCleanup(log, (cleanup) => benchmark(cleanup, opts, log));
    report(figures, opts, log);
  }
  if (phases.includes('backoffice')) {
    backoffice = await withCleanup(log, (cleanup) => benchBackoffice(cleanup, backofficeOpts, log));
    reportBackoffice(backoffice, log);
  }
  let cluster: ClusterFigures[] | null = null;
  if (phases.includes('cluster')) {
    cluster = await withCleanup(log, (cleanup) => benchCluster(cleanup, opts, log));
    reportCluster(cluster, opts, log);
  }
  let actions: ActionsFigures | null = null;
  if (phases.includes('actions')) {
    actions = await withCleanup(log, (cleanup) => benchActions(cleanup, log));
    reportActions(actions, log);
  }
  let arrival: ArrivalFigures | null = null;
  if (phases.includes('arrival')) {
    arrival = await withCleanup(log, (cleanup) => benchArrival(cleanup, log));
    reportArrival(arrival, log);
  }
  if (phases.includes('timers')) {
    timers = await withCleanup(log, (cleanup) => benchTimers(cleanup, timersOptionsFromEnv(), log));
    reportTimers(timers, log);
  }
  let million: MillionFigures | null = null;
  if (phases.includes('million')) {
    million = await withCleanup(log, (cleanup) => benchMillion(cleanup, millionOptionsFromEnv(), log));
    reportMillion(million, log);
  }
  let stats: StatsFigures | null = null;
  if (phases.includes('stats')) {
    const statsOpts = { requests: numberFromEnv('BENCH_STATS_REQUESTS', 1_000_000), iterations: numberFromEnv('BENCH_STATS_ITERATIONS', 20) };
    stats = await withCleanup(log, (cleanup) => benchStatistics(cleanup, statsOpts, log));
    reportStatistics(stats, log);
  }
  let exportsFigures: ExportsFigures | null = null;
  if (phases.includes('exports')) {
    exportsFigures = await withCleanup(log, (cleanup) => benchExports(cleanup, { rows: numberFromEnv('BENCH_EXPORTS_ROWS', 1_000_000) }, log));
    reportExports(exportsFigures, log);
  }
  // Last line, for machines: one JSON object.
  console.log(JSON.stringify({
    ...(figures && {
      intakePerSec: round1(figures.intake.perSec),
      ceilingPerSec: round1(ceilingOf(figures)),
      intakeP50Ms: round1(figures.intake.p50),
      intakeP95Ms: round1(figures.intake.p95),
      intakeP99Ms: round1(figures.intake.p99),
      takeP95Ms: round1(figures.take.p95),
      closeP95Ms: round1(figures.close.p95),
      nextCollisions: figures.next.collisions,
      nextDistinct: figures.next.distinct,
      nextP95Ms: round1(figures.next.p95),
    }),
    ...(backoffice && backofficeJson(backoffice)),
    ...(cluster && clusterJson(cluster)),
    ...(actions && { actionsBefore: actions.before, actionsAfter: actions.after }),
    ...(arrival && {
      arrivalPerSec: round1(arrival.intake.perSec),
      arrivalBacklog: arrival.backlog,
      arrivalBacklogSeconds: arrival.backlogSeconds === null ? null : round1(arrival.backlogSeconds),
      arrivalStepsPerSecDuringLoad: round1(arrival.workerPerSec),
      arrivalStepsPerSecAfterLoad: arrival.drainPerSec === null ? null : round1(arrival.drainPerSec),
      arrivalWorkflowTasksAtEnd: arrival.workflowTasks,
      arrivalWorkflowTasksSeconds: arrival.workflowTasksSeconds === null ? null : round1(arrival.workflowTasksSeconds),
      receiptP50Ms: round1(arrival.receipt.p50),
      receiptP95Ms: round1(arrival.receipt.p95),
      arrivalInfoEmails: arrival.infoEmails,
      arrivalInfoEmailsUnbatched: arrival.infoEmailsUnbatched,
    }),
    ...(timers && timersJson(timers)),
    ...(million && millionJson(million)),
    ...(stats && statisticsJson(stats)),
    ...(exportsFigures && exportsJson(exportsFigures)),
  }));
}
