import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../src/activities/types';

const { msUntilDigest, sendDigests } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });

/** Days between two continue-as-new, which keep the history short. */
const DAYS_PER_RUN = 30;

/**
 * The daily digest of new requests, one workflow per deployment (started by the worker
 * under a fixed id): sleeps until the configured hour, sends, and again.
 */
export async function digestWorkflow(): Promise<void> {
  for (let day = 0; day < DAYS_PER_RUN; day += 1) {
    await sleep(await msUntilDigest());
    await sendDigests({ at: Date.now() });
  }
  await continueAsNew<typeof digestWorkflow>();
}
