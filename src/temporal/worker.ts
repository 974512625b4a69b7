import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { Client } from '@temporalio/client';
import { startPendingDeliveries } from '../partners/deliveries';
import { logger } from '../ops/logger';
import { installTemporalRuntime } from '../ops/temporalMetrics';
import { remindersQueueOf } from '../../workflows/mailOptions';
import { agentMail } from '../mail/agentMail';
import { startSweeper, type Sweeper } from '../reminders/sweeper';
import { startStatisticsRefresh } from '../statistics/refresher';
import { cachedWorkflowBundle } from './workflowBundle';

export interface WorkerDeps extends Omit<ActivityDeps, 'client'> {
  address: string;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests bundle once); otherwise the one of the data dir (src/temporal/workflowBundle.ts). */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/**
 * The worker of the task queue and the one of its reminders' queue (activities only, paced:
 * workflows/mailOptions.ts), with the reminders' sweep (src/reminders/sweeper.ts) and the
 * statistics' refresh (src/statistics/refresher.ts), run and stopped together, seen from
 * outside as one worker.
 */
export class Workers {
  private loops: Sweeper | null = null;

  constructor(readonly main: Worker, readonly reminders: Worker, private readonly startLoops: () => Sweeper) {}

  /** Until both stop; when one fails, the other is stopped and the failure thrown. */
  async run(): Promise<void> {
    this.loops = this.startLoops();
    const results = await Promise.allSettled([this.main, this.reminders].map((w) => w.run().catch((err: unknown) => {
      this.shutdown();
      throw err;
    })));
    await this.loops.stop(); // the sweep's batch committed and its e-mails in flight sent before the database closes
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
  }

  shutdown(): void {
    for (const w of [this.main, this.reminders]) {
      if (w.getState() === 'RUNNING') {
        w.shutdown();
      }
    }
  }

  getState(): ReturnType<Worker['getState']> {
    return this.reminders.getState() === 'FAILED' ? 'FAILED' : this.main.getState();
  }
}

export async function createWorker(deps: WorkerDeps): Promise<{ worker: Workers; connection: NativeConnection }> {
  await installTemporalRuntime();
  const connection = await NativeConnection.connect({ address: deps.address });
  // Activities start the webhook delivery workflows through the worker's own connection.
  const client = new Client({ connection, namespace: deps.namespace });
  const activities = createActivities({ ...deps, client });
  const tuning = deps.config.workerTuning;
  const main = await Worker.create({
    connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    // A killed worker's cached workflows wait this long on its sticky queue before another
    // worker replays them (10 s by default): half of that keeps the purge within its minute
    // after a crash, for a few more replays when a worker is merely busy.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    ...shutdownTimes(deps.config.shutdownGraceSeconds),
    ...(tuning.workflowTasks === null ? {} : { maxConcurrentWorkflowTaskExecutions: tuning.workflowTasks }),
    ...(tuning.activities === null ? {} : { maxConcurrentActivityTaskExecutions: tuning.activities }),
    ...(tuning.cachedWorkflows === null ? {} : { maxCachedWorkflows: tuning.cachedWorkflows }),
    // Every new request's first workflow task comes from the shared queue, the later ones from
    // this worker's sticky queue. The SDK's default gives the shared queue 2 of 10 pollers, and
    // at intake peaks new requests waited there: half of 20 (bench: arrival steps during the
    // load 15 → 20/s on the dev server).
    maxConcurrentWorkflowTaskPolls: Math.max(2, Math.min(20, tuning.workflowTasks ?? 40)),
    nonStickyToStickyPollRatio: 1,
    activities,
    workflowBundle: deps.workflowBundle ?? await cachedWorkflowBundle(deps.config.workflowBundleDir),
  });
  const reminders = await Worker.create({
    connection,
    namespace: deps.namespace,
    taskQueue: remindersQueueOf(deps.taskQueue),
    activities,
    // The server dispatches no more than this, whatever the number of workers (each must say the same).
    ...(deps.config.remindersPerSecond === null ? {} : { maxTaskQueueActivitiesPerSecond: deps.config.remindersPerSecond }),
  });
  sweepDeliveries(main, deps, client);
  // Beside the workflows and activities: the reminders' sweep and the statistics' aggregates.
  const startLoops = (): Sweeper => {
    const loops = [startSweeper(deps.db, agentMail(deps), { perSecond: deps.config.remindersPerSecond }), startStatisticsRefresh(deps.db, deps.config.statisticsRefreshMinutes)];
    return { stop: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
  };
  return { worker: new Workers(main, reminders, startLoops), connection };
}

/**
 * What worker.shutdown() (SIGTERM) does with the activities in flight. The SDK's default
 * grace is 0: they are told to cancel at once (ours do not listen, so an e-mail goes on),
 * and with no force time a hung one holds the process until the supervisor kills it, with
 * no close at all. Here they get the grace (SHUTDOWN_GRACE_SECONDS, 25 s by default), more
 * than an e-mail's or a database step's whole timeout (15 s, 10 s): the ones running finish
 * and are recorded once. Past it they are cancelled; FORCE_AFTER_GRACE_MS later the worker
 * gives up on them and the process exits in order. An attempt given up on is retried by
 * another worker once its heartbeat (5 s for e-mails) or its timeout lapses; the outbox's
 * fence on the attempt number keeps a late copy from going out.
 */
function shutdownTimes(graceSeconds: number): Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'> {
  return { shutdownGraceTime: graceSeconds * 1000, shutdownForceTime: graceSeconds * 1000 + FORCE_AFTER_GRACE_MS };
}

/** Time for cancelled activities that listen to say so, and for the last completions to reach the server. */
const FORCE_AFTER_GRACE_MS = 5_000;

/**
 * Every minute while the worker lives: starts the webhook deliveries whose start was lost
 * (a crash between the transition's commit and the start of its delivery workflows).
 */
function sweepDeliveries(worker: Worker, deps: WorkerDeps, client: Client): void {
  const sweep = () => {
    const state = worker.getState();
    if (state === 'STOPPED' || state === 'FAILED') {
      clearInterval(timer);
      return;
    }
    if (state !== 'RUNNING') {
      return;
    }
    startPendingDeliveries(deps.db, client, deps.config)
      .catch((err: Error) => logger.warn({ err }, 'webhook sweep failed'));
  };
  const timer = setInterval(sweep, 60_000).unref();
  setTimeout(sweep, 1000).unref();
}
