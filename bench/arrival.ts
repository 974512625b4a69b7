// Two phases of `npm run bench` (issue 16):
// - `actions`: the Temporal actions of one request's whole life, counted from its history,
//   beside the count before the reductions;
// - `arrival`: a steady intake at 80 % of the measured ceiling for BENCH_ARRIVAL_DURATION s
//   (60), with a real SMTP server in this process: the backlog of arrival work left at the
//   end, in seconds (done by the web at once, src/commands/arrival.ts, the workflows' step
//   as its guarantee), the time from submission to the receipt handed to SMTP, the workflow
//   tasks Temporal had yet to hand out (the workflows' first tasks), the CPU shares.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { connectClient } from '../src/temporal/client';
import { ACTION_KINDS, type ActionCount } from '../src/ops/temporalActions';
import { arrivalSteps } from './actions';
import { measureCeiling } from './ceiling';
import type { Cleanup } from './cleanup';
import { CpuMeter, databaseServerPid, devServerPid, type Proc, type Usage } from './cpu';
import { prepareEnv, type BenchEnv } from './env';
import { measureIntake, type IntakeResult } from './intake';
import { startChild, type Child } from './processes';
import { startMailbox, type Mailbox } from './chaos/mailbox';
import { latencies, round1, type Latencies } from './stats';
import { httpApi, wholeLife } from './wholeLife';

type Log = (line: string) => void;

/** The count of commit 837d645, before issue 16 (the same whole life, its history read the same way). */
export const ACTIONS_BEFORE: ActionCount = { workflowTasks: 15, activities: 9, localActivities: 0, timers: 4, signals: 0, updates: 5, events: 92 };

/** The web server and the worker in processes of their own, with the environment given. */
async function startGuichet(env: BenchEnv, extra: NodeJS.ProcessEnv, cleanup: Cleanup): Promise<{ web: Child; worker: Child; procs(): Proc[] }> {
  const childEnv = { ...env.childEnv, ...extra };
  const worker = await startChild(['worker'], childEnv);
  cleanup.push('stop the worker', () => worker.stop());
  const web = await startChild(['web'], childEnv);
  cleanup.push('stop the web server', () => web.stop());
  const temporalPid = devServerPid();
  const databasePid = env.config.databaseUrl ? databaseServerPid() : null;
  const procs = (): Proc[] => [
    ...(temporalPid === null ? [] : [{ label: 'temporal', pid: temporalPid }]),
    { label: 'bench (load + SMTP)', pid: process.pid },
    { label: 'web', pid: web.pid },
    { label: 'worker', pid: worker.pid },
    ...(databasePid === null ? [] : [{ label: 'mariadbd (shared)', pid: databasePid }]),
  ];
  return { web, worker, procs };
}

export interface ActionsFigures {
  before: ActionCount;
  after: ActionCount;
  activities: string[];
}

export async function benchActions(cleanup: Cleanup, log: Log): Promise<ActionsFigures> {
  const env = await prepareEnv(cleanup, log);
  const { web } = await startGuichet(env, {}, cleanup);
  const client = await connectClient(env.config.temporalAddress!, env.config.temporalNamespace);
  cleanup.push('close the Temporal client', () => client.connection.close());
  log('actions: one request\'s whole life (submit, take with e-mail, annotate, hold, resume, close with e-mail, purge)…');
  const life = await wholeLife(httpApi(`http://127.0.0.1:${web.port}`), client, env.partnerKey, env.agentToken);
  return { before: ACTIONS_BEFORE, after: life.count, activities: life.activities };
}

export function reportActions(f: ActionsFigures, log: Log): void {
  log('');
  log(`actions  per request's whole life     before  after`);
  for (const kind of ACTION_KINDS) {
    log(`         ${kind.padEnd(28)} ${String(f.before[kind]).padStart(6)}  ${String(f.after[kind]).padStart(5)}`);
  }
  log(`         activities: ${f.activities.join(', ')}`);
}

export interface ArrivalFigures {
  ceilingPerSec: number;
  targetPerSec: number;
  intake: IntakeResult;
  cpu: Usage;
  /** requests whose receipt was not handed to SMTP when the load stopped */
  receiptsPending: number;
  /** requests whose arrival work (webhooks, receipt, place in the agents' next batch) was not done when the load stopped */
  backlog: number;
  /** arrival work done per second over the load */
  workerPerSec: number;
  /** the backlog in seconds: how long it took to clear once the load stopped (null: not within 600 s) */
  backlogSeconds: number | null;
  /** arrival work done per second while the backlog cleared */
  drainPerSec: number | null;
  /** workflow tasks waiting in the requests' task queue when the load stopped (Temporal's estimate): mostly first tasks */
  workflowTasks: number;
  /** how long Temporal took to hand them all out (null: not within 600 s) */
  workflowTasksSeconds: number | null;
  receipt: Latencies & { count: number };
  /** information e-mails to agents handed to SMTP, beside requests × agents (one per request each) */
  infoEmails: number;
  infoEmailsUnbatched: number;
  batchSeconds: number;
  load: number[];
}

const arrivalDuration = (): number => Number(process.env.BENCH_ARRIVAL_DURATION ?? 60);
/** The share of the ceiling filed per second: 0.8 as the issue asks, lower to find the rate the workflows keep up with. */
const arrivalShare = (): number => Number(process.env.BENCH_ARRIVAL_SHARE ?? 0.8);

/** Receipts handed to SMTP so far, by request (its submission time from the database). */
async function receiptLatencies(env: BenchEnv, smtp: Mailbox): Promise<{ pending: number; samples: number[] }> {
  const rows: { reference: string; created_at: number }[] = await env.db('requests').select('reference', 'created_at');
  const received = new Map(smtp.mails.map((m) => [m.messageId, m.at]));
  const samples: number[] = [];
  let pending = 0;
  for (const r of rows) {
    const at = received.get(`<${r.reference}:RECEIPT@guichet>`);
    if (at === undefined) {
      pending += 1;
    } else {
      samples.push(at - Number(r.created_at));
    }
  }
  return { pending, samples };
}

/** Workflow tasks not yet handed to a worker in the requests' (normal, not sticky) task queue. */
async function workflowTaskBacklog(client: Client, taskQueue: string): Promise<number> {
  const answer = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(answer.stats?.approximateBacklogCount ?? 0);
}

/** Seconds until `settled` holds, polled every 250 ms (null: not within timeoutS). */
async function secondsUntil(settled: () => Promise<boolean>, timeoutS: number): Promise<number | null> {
  const started = Date.now();
  while (!(await settled())) {
    if (Date.now() - started > timeoutS * 1000) {
      return null;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return (Date.now() - started) / 1000;
}

/** Seconds until the arrival work (receipts included) is done, and until Temporal has handed out its workflow tasks. */
function drain(env: BenchEnv, smtp: Mailbox, client: Client, timeoutS: number): Promise<[number | null, number | null]> {
  const workDone = async () => {
    const { requests, done } = await arrivalSteps(env.db);
    return requests === done && (await receiptLatencies(env, smtp)).pending === 0;
  };
  return Promise.all([secondsUntil(workDone, timeoutS), secondsUntil(async () => (await workflowTaskBacklog(client, env.config.taskQueue)) === 0, timeoutS)]);
}

export async function benchArrival(cleanup: Cleanup, log: Log): Promise<ArrivalFigures> {
  const smtp = await startMailbox();
  cleanup.push('stop the SMTP server', () => smtp.close());
  const env = await prepareEnv(cleanup, log);
  const batchSeconds = Number(process.env.NEW_REQUEST_BATCH_SECONDS ?? 30);
  const guichet = await startGuichet(env, { SMTP_URL: smtp.url }, cleanup);
  const baseUrl = `http://127.0.0.1:${guichet.web.port}`;
  const client = await connectClient(env.config.temporalAddress!, env.config.temporalNamespace);
  cleanup.push('close the Temporal client', () => client.connection.close());
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

  log('arrival: ceiling (bare client starts, 3 s warm-up, 10 s)…');
  await measureCeiling(client, { connections, durationS: 3 });
  const ceiling = await measureCeiling(client, { connections, durationS: 10 });
  const targetPerSec = Math.max(1, Math.floor(arrivalShare() * ceiling.perSec));
  const durationS = arrivalDuration();
  log(`arrival: ${targetPerSec} requests/s (${Math.round(arrivalShare() * 100)} % of ${round1(ceiling.perSec)}) for ${durationS} s, receipts to a real SMTP server…`);
  const meter = new CpuMeter(guichet.procs);
  meter.begin();
  const intake = await measureIntake(baseUrl, env.partnerKey, { connections, durationS, rate: targetPerSec });
  const cpu = meter.end();
  const load = (await import('node:os')).loadavg().map(round1);
  const atEnd = await receiptLatencies(env, smtp);
  const steps = await arrivalSteps(env.db);
  const workflowTasks = await workflowTaskBacklog(client, env.config.taskQueue);
  const backlog = steps.requests - steps.done;
  const workerPerSec = steps.done / durationS;
  log('arrival: waiting for the last receipts and workflow tasks…');
  const [drainSeconds, workflowTasksSeconds] = await drain(env, smtp, client, 600);
  const { samples } = await receiptLatencies(env, smtp);
  // The last batch of information e-mails goes out within one batch period.
  await new Promise((r) => setTimeout(r, (batchSeconds + 2) * 1000));
  const [{ n: agents }] = await env.db('agent_groups').whereIn('group_id', env.db('form_types').where({ slug: 'acte-naissance' }).select('group_id')).count({ n: '*' });
  const info = smtp.mails.filter((m) => /:NEW_REQUEST:|^<NEW_REQUESTS:/.test(m.messageId)).length;
  return {
    ceilingPerSec: ceiling.perSec,
    targetPerSec,
    intake,
    cpu,
    receiptsPending: atEnd.pending,
    backlog,
    workerPerSec,
    backlogSeconds: drainSeconds,
    drainPerSec: drainSeconds === null ? null : backlog / Math.max(drainSeconds, 1e-9),
    workflowTasks,
    workflowTasksSeconds,
    receipt: { ...latencies(samples), count: samples.length },
    infoEmails: info,
    infoEmailsUnbatched: samples.length * Number(agents),
    batchSeconds,
    load,
  };
}

export function reportArrival(f: ArrivalFigures, log: Log): void {
  const durationS = arrivalDuration();
  log('');
  log(`arrival  ${round1(f.intake.perSec)} requests accepted/s for ${durationS} s (target ${f.targetPerSec}/s = ${Math.round(arrivalShare() * 100)} % of the ceiling ${round1(f.ceilingPerSec)} starts/s; non-2xx ${f.intake.non2xx}, errors ${f.intake.errors})`);
  log(`         backlog at the end: ${f.backlog} requests whose arrival work was not done (${f.receiptsPending} receipts not yet handed to SMTP); cleared in ${f.backlogSeconds === null ? 'more than 600' : round1(f.backlogSeconds)} s (goal < 5 s)`);
  log(`         arrival work: ${round1(f.workerPerSec)} requests/s during the load, ${f.drainPerSec === null ? '—' : round1(f.drainPerSec)}/s once it stopped`);
  log(`         Temporal's workflow tasks not yet handed out at the end (the workflows' first tasks): ${f.workflowTasks}; all handed out ${f.workflowTasksSeconds === null ? 'more than 600' : round1(f.workflowTasksSeconds)} s later`);
  log(`         submission → receipt handed to SMTP: p50 ${round1(f.receipt.p50)} ms, p95 ${round1(f.receipt.p95)} ms, p99 ${round1(f.receipt.p99)} ms over ${f.receipt.count} receipts (goal p95 < 2000 ms)`);
  log(`         information e-mails to agents: ${f.infoEmails} (one per request and agent would be ${f.infoEmailsUnbatched}; NEW_REQUEST_BATCH_SECONDS=${f.batchSeconds})`);
  log(`         CPU: ${f.cpu.text}; load average ${f.load.join(' ')}`);
  if (f.cpu.othersShare > 0.15) {
    log('warning  other processes used more than 15 % of the CPU during the arrival load: these figures are noisy');
  }
}
