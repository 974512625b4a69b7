// One workflow per merge (`merge-<id>`): writes the new request with the sources' threads,
// closes each source through its own workflow (Update mergeClose, DOUBLON), starts the new
// request's workflow, then e-mails the citizen once. Every activity is idempotent (Update
// ids, a start that finds its workflow, e-mails by key), so a worker killed anywhere
// resumes it; a source that refuses on the way undoes what was done: merged whole or not
// at all. It then waits: until the new request is touched (final: the sources purge) or
// the agent undoes it (the sources reopen as they were, the new request is withdrawn).
import { allHandlersFinished, ApplicationFailure, condition, getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, MergeActivities } from '../src/activities/types';
import { workflowIdOf } from './definitions';
import { MAIL_ACTIVITY_OPTIONS } from './mailOptions';
import { mergeFinalSignal, mergeOutcomeUpdate, mergeTouchedSignal, undoMergeUpdate, type MergeInput, type MergeOutcome } from './mergeDefinitions';

// Database writes and Updates of a few requests: after a worker dies the step in flight is
// retried once this timeout expires (and finds what it had done).
const act = proxyActivities<MergeActivities>({
  startToCloseTimeout: '10 seconds',
  // No limit: an outage of the database or of Temporal pauses the merge, it does not end it half-done.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// As the request workflow sends its e-mails: exactly once, also across a killed worker.
const mail = proxyActivities<Activities>(MAIL_ACTIVITY_OPTIONS);

export async function mergeWorkflow(input: MergeInput): Promise<void> {
  const { mergeId } = input;
  let outcome: MergeOutcome | null = null;
  let touched = false;
  let undoing = false;
  let sources: { requestId: number; reference: string }[] = [];

  setHandler(mergeOutcomeUpdate, async () => {
    await condition(() => outcome !== null);
    return outcome!;
  });
  setHandler(mergeTouchedSignal, () => {
    touched = true;
  });
  setHandler(undoMergeUpdate, async (args) => {
    undoing = true;
    if ((await act.withdrawMergedRequest({ mergeId, agentId: args.agentId })) === 'touched') {
      undoing = false;
      touched = true;
      throw ApplicationFailure.create({ type: 'MERGE_TOUCHED', message: 'MERGE_TOUCHED', details: [{ code: 'MERGE_TOUCHED', assigneeId: null }], nonRetryable: true });
    }
    for (const source of sources) {
      await act.reopenMergeSource({ mergeId, requestId: source.requestId, agentId: args.agentId });
    }
    await act.finishMerge({ mergeId, status: 'UNDONE' });
    outcome = { status: 'UNDONE' };
    undoing = false;
    return outcome;
  }, {
    validator: (_args: { agentId: number }) => {
      if (outcome?.status !== 'DONE' || touched || undoing) {
        throw ApplicationFailure.create({ type: 'MERGE_NOT_UNDOABLE', message: 'MERGE_NOT_UNDOABLE', details: [{ code: touched ? 'MERGE_TOUCHED' : 'MERGE_NOT_UNDOABLE', assigneeId: null }], nonRetryable: true });
      }
    },
  });

  const prepared = await act.prepareMerge({ mergeId });
  sources = prepared.sources;
  if ('refused' in prepared) {
    await act.finishMerge({ mergeId, status: 'FAILED', refusal: prepared.refused });
    outcome = { status: 'FAILED', refusal: prepared.refused, reference: prepared.reference };
    await condition(allHandlersFinished);
    return;
  }
  const closed: number[] = [];
  for (const source of sources) {
    if ((await act.closeMergeSource({ mergeId, requestId: source.requestId, agentId: input.agentId })) === 'refused') {
      // Closed by someone else meanwhile: the merge is taken back, as if never done.
      for (const requestId of closed) {
        await act.reopenMergeSource({ mergeId, requestId, agentId: input.agentId });
      }
      await act.discardMerge({ mergeId });
      await act.finishMerge({ mergeId, status: 'FAILED', refusal: 'MERGE_SOURCE_CLOSED' });
      outcome = { status: 'FAILED', refusal: 'MERGE_SOURCE_CLOSED', reference: source.reference };
      await condition(allHandlersFinished);
      return;
    }
    closed.push(source.requestId);
  }
  await act.startMergedRequest({ mergeId });
  const emailId = await act.prepareMergeEmail({ mergeId });
  if (emailId !== null) {
    // A failed delivery is marked on the request page; the merge is done all the same.
    await mail.sendEmail({ emailId }).catch((err: Error) => mail.markEmailFailed({ emailId, error: err.message }));
  }
  await act.finishMerge({ mergeId, status: 'DONE' });
  outcome = { status: 'DONE', reference: prepared.reference };

  await condition(() => touched || outcome?.status === 'UNDONE');
  await condition(() => !undoing);
  if (outcome.status === 'DONE') {
    // Final: each source may now forget the citizen (its purge), the new request holds the thread.
    await act.finishMerge({ mergeId, status: 'FINAL' });
    for (const source of sources) {
      await getExternalWorkflowHandle(workflowIdOf(source.reference)).signal(mergeFinalSignal, { mergeId }).catch(() => undefined);
    }
  }
  await condition(allHandlersFinished);
}
