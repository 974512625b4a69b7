// One workflow per split (`split-<id>`, « Scinder »): one request becomes two. It ends
// either fully split or not at all, and a worker that dies on the way is replaced by
// another that carries on from the last step done (each step is idempotent: a retried
// activity finds what its earlier attempt wrote, and repeats an Update under its id):
//  1. the two new requests are written, each with a copy of the original's thread and the
//     agent's message, and the original gets its visible message; then the original's
//     workflow closes it (Update `split`): the point of no return. Refused (closed
//     meanwhile by someone else), what was written is withdrawn and the split ends REFUSED;
//  2. the parts' workflows start, each assigned to the agent; the split is DONE;
//  3. the citizen gets one e-mail naming both parts, with the original's message.
// Only ids and references travel here: the texts stay in the database.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities, SplitActivities } from '../src/activities/types';

// Each step takes well under a second (its Updates wait for the requests' workflows): after
// a worker dies (kill -9, no heartbeat) the step it was running is retried once this expires.
const steps = proxyActivities<SplitActivities>({
  startToCloseTimeout: '20 seconds',
  // No limit on attempts: an outage of the database or of Temporal pauses the split, it does not end it half-way.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// As the request workflow's e-mails: retried for about a day, then marked failed.
const mail = proxyActivities<Pick<Activities, 'sendEmail' | 'markEmailFailed'>>({
  startToCloseTimeout: '15 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 60 },
});

export type SplitOutcome = { parts: string[] } | { refused: string };

export async function splitWorkflow(input: { splitId: number }): Promise<SplitOutcome> {
  const { splitId } = input;
  const split = await steps.splitOriginal({ splitId });
  if ('refused' in split) {
    return split;
  }
  await steps.startSplitParts({ splitId });
  const emailId = await steps.prepareSplitEmail({ splitId });
  if (emailId !== null) {
    await mail.sendEmail({ emailId }).catch(async (err: unknown) => {
      if (!(err instanceof ActivityFailure)) {
        throw err;
      }
      await mail.markEmailFailed({ emailId, error: String(err.cause?.message ?? err.message) });
    });
  }
  return { parts: split.parts };
}

// Keyed by the reference prefix too, as merges are (workflows/mergeDefinitions.ts).
export const splitWorkflowId = (referencePrefix: string, splitId: number): string => `split-${referencePrefix}-${splitId}`;
