import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { Client } from '@temporalio/client';
import { startPendingDeliveries } from '../partners/deliveries';
import { logger } from '../ops/logger';
import { installTemporalRuntime } from '../ops/temporalMetrics';

export interface WorkerDeps extends Omit<ActivityDeps, 'client'> {
  address: string;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests bundle once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(deps: WorkerDeps): Promise<{ worker: Worker; connection: NativeConnection }> {
  await installTemporalRuntime();
  const connection = await NativeConnection.connect({ address: deps.address });
  // Activities start the webhook delivery workflows through the worker's own connection.
  const client = new Client({ connection, namespace: deps.namespace });
  const worker = await Worker.create({
    connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    // A killed worker's cached workflows wait this long on its sticky queue before another
    // worker replays them (10 s by default): half of that keeps the purge within its minute
    // after a crash, for a few more replays when a worker is merely busy.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    activities: createActivities({ ...deps, client }),
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('../../workflows') }),
  });
  sweepDeliveries(worker, deps, client);
  return { worker, connection };
}

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
