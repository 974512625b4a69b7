import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../src/activities/types';
import { MAIL_ACTIVITY_OPTIONS } from './mailOptions';

// A batch may mail many agents: longer than one e-mail, still beating every second; retried
// without end, since what it has not sent waits in the database, not in the workflow.
const { announceNewRequests } = proxyActivities<Activities>({
  ...MAIL_ACTIVITY_OPTIONS,
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Batches between two continue-as-new, which keep the history short (about 4 events each). */
const BATCHES_PER_RUN = 250;

/**
 * The information e-mails on new requests, one workflow per deployment (started by the worker
 * under a fixed id): every NEW_REQUEST_BATCH_SECONDS, one e-mail per agent listing the requests
 * that arrived meanwhile, instead of one per request and agent. The batch's id is the workflow's
 * time at its start, the same at every replay, so that a retried batch sends nothing twice.
 */
export async function announcerWorkflow(): Promise<void> {
  for (let i = 0; i < BATCHES_PER_RUN; i += 1) {
    await sleep(await announceNewRequests({ batch: Date.now() }));
  }
  await continueAsNew<typeof announcerWorkflow>();
}
