import { changeDelays } from '../src/commands/changeDelays';
import { refreshDeadlines } from '../src/db/deadlines';
import { agentMail } from '../src/mail/agentMail';
import { createTransport } from '../src/mail/transport';
import { sweepOnce, wakeOnce } from '../src/reminders/sweeper';
import type { Delays } from '../workflows/definitions';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// The reminders' sweep (src/reminders/sweeper.ts) run by hand, with no worker of its own
// sweeping beside it: two sweeps racing, a sweep that died between its wake and its
// e-mails, an attempt that died holding its e-mail, against the real database and a real
// SMTP server.
let h: Harness;
const transports: ReturnType<typeof createTransport>[] = [];
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  for (const t of transports) t.close();
  await h?.close();
});

const HOUR = 3600_000;
const delays: Delays = { unprocessedReminderMs: 1000, reminderEveryMs: HOUR, deletionMs: 10 * HOUR, deletionWarningMs: HOUR, inProgressReminderMs: HOUR };
const VOIRIE = ['admin@mairie.example', 'dleroy@mairie.example'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const submit = async () => (await submitRequest(h, { formType: 'signalement-voirie', citizen: { firstName: 'Jules', lastName: 'Verne', email: 'jules.verne@example.org' } })).reference;
const reminders = (ref: string) => h.mails.filter((m) => m.subject.startsWith('Relance') && m.subject.includes(ref));
const mail = () => {
  const transport = createTransport(h.config.smtpUrl);
  transports.push(transport);
  return agentMail({ db: h.db, transport, config: h.config });
};
const rowOf = async (ref: string) => h.db('requests').where({ reference: ref }).first('id', 'reminder_at', 'reminded_at', 'status_since');

test('two sweeps racing over the same due reminders send each e-mail once and settle each reminder once', async () => {
  await changeDelays(h.ctx, 'signalement-voirie', delays);
  const refs: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    refs.push(await submit());
  }
  await sleep(1500);
  const [a, b] = await Promise.all([sweepOnce(h.db, mail(), { perSecond: null }), sweepOnce(h.db, mail(), { perSecond: null, lanes: 3 })]);
  expect(a + b).toBe(refs.length);
  await waitFor(() => refs.every((ref) => reminders(ref).length >= VOIRIE.length), 30000, 'every reminder');
  for (const ref of refs) {
    expect(reminders(ref).flatMap((m) => m.to).sort()).toEqual(VOIRIE);
    const row = await rowOf(ref);
    // Settled: the next one a « relance » delay after this one.
    expect(Number(row.reminder_at)).toBe(Number(row.reminded_at) + HOUR);
  }
  expect(await sweepOnce(h.db, mail(), { perSecond: null })).toBe(0);
  await sleep(500);
  expect(refs.flatMap((ref) => reminders(ref))).toHaveLength(refs.length * VOIRIE.length);
});

test('a sweep that died after waking its reminders, before their e-mails: the next one sends each once, and wakes nothing again', async () => {
  await changeDelays(h.ctx, 'signalement-voirie', delays);
  const ref = await submit();
  await sleep(1500);
  expect(Number((await rowOf(ref)).reminder_at)).toBeLessThanOrEqual(Date.now());
  // What the dead sweep did: the reminder settled, its e-mails in the outbox; none sent.
  expect(await wakeOnce(h.db, mail())).toBe(1);
  const row = await rowOf(ref);
  expect(Number(row.reminder_at)).toBe(Number(row.reminded_at) + HOUR);
  const outbox = await h.db('emails').where({ request_id: row.id, kind: 'REMINDER_UNPROCESSED' }).select('status', 'retry_at');
  expect(outbox.map((e: { status: string }) => e.status)).toEqual(['PENDING', 'PENDING']);
  expect(reminders(ref)).toHaveLength(0);
  expect(await sweepOnce(h.db, mail(), { perSecond: null })).toBe(0);
  await waitFor(() => reminders(ref).length >= VOIRIE.length, 30000, 'the reminder\'s e-mails');
  expect(await sweepOnce(h.db, mail(), { perSecond: null })).toBe(0);
  await sleep(1000);
  expect(reminders(ref).flatMap((m) => m.to).sort()).toEqual(VOIRIE);
  const sent = await h.db('emails').where({ request_id: row.id, kind: 'REMINDER_UNPROCESSED' }).select('status', 'retry_at', 'attempts');
  expect(sent).toEqual([{ status: 'SENT', retry_at: null, attempts: 1 }, { status: 'SENT', retry_at: null, attempts: 1 }]);
});

test('an attempt that died holding its e-mail: nobody sends it while its lease runs, the next sweep does once it ran out', async () => {
  await changeDelays(h.ctx, 'signalement-voirie', delays);
  const ref = await submit();
  await sleep(1500);
  expect(await wakeOnce(h.db, mail())).toBe(1);
  const { id } = await rowOf(ref);
  // The dead attempt: its first try claimed, held for a minute.
  const held = h.db('emails').where({ request_id: id, kind: 'REMINDER_UNPROCESSED' });
  await held.clone().update({ attempts: 1, retry_at: Date.now() + 60_000 });
  expect(await sweepOnce(h.db, mail(), { perSecond: null })).toBe(0);
  await sleep(1000);
  expect(reminders(ref)).toHaveLength(0);
  await held.clone().update({ retry_at: Date.now() - 1 });
  await sweepOnce(h.db, mail(), { perSecond: null });
  await waitFor(() => reminders(ref).length >= VOIRIE.length, 30000, 'the reminder\'s e-mails');
  expect(reminders(ref).flatMap((m) => m.to).sort()).toEqual(VOIRIE);
  expect((await held.clone().select('attempts')).map((e: { attempts: number }) => Number(e.attempts))).toEqual([2, 2]);
});

test('a request taken before its reminder is swept is not reminded', async () => {
  await changeDelays(h.ctx, 'signalement-voirie', delays);
  const ref = await submit();
  // The projection of a take, as the workflow's step writes it: the row's next reminder is the in-progress one.
  const { id } = await rowOf(ref);
  await h.db('requests').where({ id }).update({ status: 'EN_COURS', status_since: Date.now(), version: 2 });
  await refreshDeadlines(h.db, (q) => q.where({ id }));
  await sleep(1500);
  expect(await sweepOnce(h.db, mail(), { perSecond: null })).toBe(0);
  expect(Number((await rowOf(ref)).reminder_at)).toBeGreaterThan(Date.now() + HOUR - 10_000);
  expect(reminders(ref)).toHaveLength(0);
});
