import { temporal } from '@temporalio/proto';
import { changeDelays } from '../src/commands/changeDelays';
import { remindersQueueOf } from '../workflows/mailOptions';
import type { Delays } from '../workflows/definitions';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// Reminders go through a task queue of their own, paced by REMINDERS_PER_SECOND
// (workflows/mailOptions.ts): here 2 a second, on the Temporal dev server, to a real SMTP server.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { REMINDERS_PER_SECOND: '2' } });
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3600_000;
const slow: Delays = { unprocessedReminderMs: HOUR, reminderEveryMs: HOUR, deletionMs: 10 * HOUR, deletionWarningMs: HOUR, inProgressReminderMs: HOUR };
const VOIRIE = ['admin@mairie.example', 'dleroy@mairie.example'];

const submit = async () => (await submitRequest(h, { formType: 'signalement-voirie', citizen: { firstName: 'Jules', lastName: 'Verne', email: 'jules.verne@example.org' } })).reference;
const reminders = (ref: string) => h.mails.filter((m) => m.subject.startsWith('Relance') && m.subject.includes(ref));

/** The task queues the workflow scheduled its activities on, by activity name. */
async function activityQueues(ref: string): Promise<[string, string][]> {
  const history = await h.ctx.client.workflow.getHandle(`request-${ref}`).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((e) => [e.activityTaskScheduledEventAttributes!.activityType!.name!, e.activityTaskScheduledEventAttributes!.taskQueue!.name!]);
}

test('reminders due together all go out through the paced queue, each to every agent of the group, none twice', async () => {
  await changeDelays(h.ctx, 'signalement-voirie', { ...slow, unprocessedReminderMs: 1000 });
  const refs: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    refs.push(await submit());
  }
  await waitFor(() => refs.every((ref) => reminders(ref).length >= VOIRIE.length), 60000, 'every reminder');
  for (const ref of refs) {
    expect(reminders(ref).flatMap((m) => m.to).sort()).toEqual(VOIRIE);
    // The reminder on the reminders' queue (the receipt is a local activity, in the workflow's task).
    expect(await activityQueues(ref)).toEqual([
      ['notifyAgents', remindersQueueOf(h.config.taskQueue)],
    ]);
  }
  const ids = refs.flatMap((ref) => reminders(ref).map((m) => m.messageId));
  expect(new Set(ids).size).toBe(refs.length * VOIRIE.length);
});

test('a request closed while its reminder still waits in the paced queue closes and is purged at once', async () => {
  // Starved: the server lets its burst through, then one reminder every 1000 s.
  await h.stopWorker();
  h.config.remindersPerSecond = 0.001;
  await h.startWorker();
  await changeDelays(h.ctx, 'signalement-voirie', { ...slow, unprocessedReminderMs: 1000 });
  const refs: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    refs.push(await submit());
  }
  await waitFor(async () => {
    const queues = await Promise.all(refs.map(activityQueues));
    return queues.every((q) => q.some(([name]) => name === 'notifyAgents'));
  }, 20000, 'the reminders queued');
  for (const ref of refs) {
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.dleroy, { notifyCitizen: false })).status).toBe(200);
    expect((await h.api('POST', `/api/requests/${ref}/close`, h.tokens.dleroy, { closingCode: 'TRAITEE', notifyCitizen: true })).status).toBe(200);
  }
  for (const ref of refs) {
    const handle = h.ctx.client.workflow.getHandle(`request-${ref}`);
    await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 30000, `${ref} completed`);
    const { id } = await h.db('requests').where({ reference: ref }).first('id');
    expect(await h.db('request_personal').where({ request_id: id }).first()).toBeUndefined();
  }
  // The few let through (the rate limiter's burst) were sent; the others were dropped with their workflow.
  expect(refs.filter((ref) => reminders(ref).length === 0).length).toBeGreaterThanOrEqual(1);
  // The dropped ones leave the queue only when dispatched: a fast rate clears it (the dev server, shared, would log them for long).
  await h.stopWorker();
  h.config.remindersPerSecond = 1000;
  await h.startWorker();
});
