// One workflow per bulk action (`bulk-<job id>`): applies the action to each request of
// the job, a few at a time, each through that request's own workflow Update (so nothing
// is half-applied to one request), and survives a restart of the web or the worker.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { BulkActivities } from '../src/activities/types';

const { bulkPendingItems, applyBulkItem, finishBulk } = proxyActivities<BulkActivities>({
  startToCloseTimeout: '1 minute',
  // No limit on attempts: a database or Temporal outage pauses the job, it does not end it.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Requests handled at once: enough to be quick, few enough to leave room to the agents' own actions. */
const PARALLEL = 4;

/**
 * Requests per run: each costs about six events of history, so a job of thousands goes on
 * in a fresh run (continue-as-new) every BATCH requests. The database says what is left.
 */
export const BULK_BATCH = 100;

export async function bulkWorkflow(input: { jobId: number }): Promise<void> {
  const queue = await bulkPendingItems({ jobId: input.jobId, limit: BULK_BATCH });
  const more = queue.length === BULK_BATCH;
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await applyBulkItem({ jobId: input.jobId, requestId: next });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  if (more) {
    await continueAsNew<typeof bulkWorkflow>(input);
  }
  await finishBulk({ jobId: input.jobId });
}

export const bulkWorkflowId = (jobId: number): string => `bulk-${jobId}`;
