import { temporal } from '@temporalio/proto';
import { changeDelays } from '../src/commands/changeDelays';
import { remindersQueueOf } from '../workflows/mailOptions';
import type { Delays } from '../workflows/definitions';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// The reminders of unprocessed and in-progress requests are sent by the sweep
// (src/reminders/sweeper.ts) from each request's stored next reminder, their e-mails paced by
// REMINDERS_PER_SECOND: here 2 a second, on the Temporal dev server, to a real SMTP server.
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The activities the request's workflow scheduled, by name and task queue. */
async function activityQueues(ref: string): Promise<[string, string][]> {
  const history = await h.ctx.client.workflow.getHandle(`request-${ref}`).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((e) => [e.activityTaskScheduledEventAttributes!.activityType!.name!, e.activityTaskScheduledEventAttributes!.taskQueue!.name!]);
}

test('reminders due together are sent by the sweep, paced, each to every agent of the group, none twice; the workflow has no timer nor activity for them', async () => {
  await changeDelays(h.ctx, 'signalement-voirie', { ...slow, unprocessedReminderMs: 1000 });
  const refs: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    refs.push(await submit());
  }
  await waitFor(() => refs.every((ref) => reminders(ref).length >= VOIRIE.length), 60000, 'every reminder');
  for (const ref of refs) {
    expect(reminders(ref).flatMap((m) => m.to).sort()).toEqual(VOIRIE);
    expect(await activityQueues(ref)).toEqual([]); // the receipt is a local activity, in the workflow's task
    const history = await h.ctx.client.workflow.getHandle(`request-${ref}`).fetchHistory();
    const timers = (history.events ?? []).filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED);
    expect(timers).toHaveLength(1); // the deletion's
  }
  const ids = refs.flatMap((ref) => reminders(ref).map((m) => m.messageId));
  expect(new Set(ids).size).toBe(refs.length * VOIRIE.length);
  // Woken on time, the 16 e-mails of 8 reminders start at 2 a second: 7.5 s from the first to the
  // last start. `sent_at` is written after each SMTP exchange, which on a loaded machine takes
  // a second or two longer for one e-mail than another (5.9 s seen in CI): at least 4 s apart,
  // where unpaced they all leave within the same second or two.
  const sentAt: { sent_at: number | string }[] = await h.db('emails').join('requests', 'requests.id', 'emails.request_id')
    .whereIn('requests.reference', refs).where('emails.kind', 'REMINDER_UNPROCESSED').select('emails.sent_at');
  const times = sentAt.map((r) => Number(r.sent_at));
  expect(times).toHaveLength(refs.length * VOIRIE.length);
  expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(4000);
  expect(remindersQueueOf(h.config.taskQueue)).toBe(`${h.config.taskQueue}-reminders`); // still polled, for the workflows filed before the sweep
});

test('a request closed while its reminder waits for its turn closes and is purged at once; the reminder never goes', async () => {
  // Starved: one reminder goes, the next one would wait 1000 s.
  await h.stopWorker();
  h.config.remindersPerSecond = 0.001;
  await h.startWorker();
  await changeDelays(h.ctx, 'signalement-voirie', { ...slow, unprocessedReminderMs: 1000 });
  const refs: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    refs.push(await submit());
  }
  await sleep(3000); // all due, all but one waiting for their turn
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
  // A fast pace now: the closed requests have no reminder left to send.
  await h.stopWorker();
  h.config.remindersPerSecond = 1000;
  await h.startWorker();
  await sleep(3000);
  expect(refs.filter((ref) => reminders(ref).length === 0).length).toBeGreaterThanOrEqual(5);
  const rows = await h.db('requests').whereIn('reference', refs).select('reminder_at');
  expect(rows.every((r: { reminder_at: unknown }) => r.reminder_at === null)).toBe(true);
});
