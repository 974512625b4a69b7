import { changeDelays } from '../src/commands/changeDelays';
import type { Delays } from '../workflows/definitions';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// Timers run for real on the Temporal dev server, with delays of seconds set through
// the same command an administrator uses. The waits are long (they end as soon as the
// e-mail is there): with two suites side by side, a workflow task was seen to take 8 s.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3600_000;
const slow: Delays = { unprocessedReminderMs: HOUR, reminderEveryMs: HOUR, deletionMs: 10 * HOUR, deletionWarningMs: HOUR, inProgressReminderMs: HOUR };
const ETAT_CIVIL = ['admin@mairie.example', 'amartin@mairie.example', 'bdurand@mairie.example'];

const submit = async (formType: string) => (await submitRequest(h, { formType, citizen: { firstName: 'Paul', lastName: 'Verlaine', email: 'paul.verlaine@example.org' } })).reference;

const mails = (ref: string, subject: string) => h.mails.filter((m) => m.subject.includes(ref) && m.subject.startsWith(subject));
const recipients = (ref: string, subject: string) => mails(ref, subject).flatMap((m) => m.to).sort();
const status = async (ref: string) => (await h.api('GET', `/api/requests/${ref}`, h.tokens.admin)).body;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an unprocessed request reminds the agents of its service, again and again, until it is taken', async () => {
  await changeDelays(h.ctx, 'acte-naissance', { ...slow, unprocessedReminderMs: 2000, reminderEveryMs: 2000 });
  const ref = await submit('acte-naissance');
  await waitFor(() => mails(ref, 'Relance').length >= 2 * ETAT_CIVIL.length, 40000, 'two rounds of reminders');
  expect([...new Set(recipients(ref, 'Relance'))]).toEqual(ETAT_CIVIL);
  expect(mails(ref, 'Relance')[0].subject).toBe(`Relance : la demande ${ref} n'est pas encore prise en compte`);

  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  const afterTake = mails(ref, 'Relance').length;
  await sleep(4500);
  expect(mails(ref, 'Relance').length).toBe(afterTake);
});

test('a request nobody takes gets a deletion warning, then expires: closed EXPIRED, purged, agents told', async () => {
  // The warning at 4 s, the deletion at 15 s: room for a loaded machine (a CI running two
  // suites side by side) to deliver the warning before the status is read.
  await changeDelays(h.ctx, 'acte-mariage', { ...slow, deletionMs: 15000, deletionWarningMs: 11000 });
  const ref = await submit('acte-mariage');
  await waitFor(() => mails(ref, 'Suppression prochaine').length === ETAT_CIVIL.length, 15000, 'deletion warnings');
  expect(recipients(ref, 'Suppression prochaine')).toEqual(ETAT_CIVIL);
  expect((await status(ref)).status).toBe('NON_TRAITEE');

  await waitFor(() => mails(ref, `Demande ${ref} supprimée`).length === ETAT_CIVIL.length, 30000, 'deletion notices');
  const closed = await status(ref);
  expect(closed).toMatchObject({ status: 'CLOTUREE', closingCode: 'EXPIRED' });
  expect(closed.events.map((e: { type: string }) => e.type)).toEqual(['SUBMITTED', 'EXPIRED']);
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  await waitFor(async () => !(await h.db('request_personal').where({ request_id: id }).first()), 30000, 'purge');
  // Exactly one warning and one notice per agent: the timers fire once.
  expect(mails(ref, 'Suppression prochaine')).toHaveLength(ETAT_CIVIL.length);
});

test('an in-progress request reminds its assignee only, and not while it is on hold', async () => {
  await changeDelays(h.ctx, 'declaration-travaux', { ...slow, inProgressReminderMs: 2000 });
  const ref = await submit('declaration-travaux');
  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.bdurand, { notifyCitizen: false })).status).toBe(200);
  await waitFor(() => mails(ref, 'Relance : la demande').length >= 2, 40000, 'two in-progress reminders');
  expect([...new Set(recipients(ref, 'Relance'))]).toEqual(['bdurand@mairie.example']);
  expect(mails(ref, 'Relance')[0].subject).toBe(`Relance : la demande ${ref} est toujours en cours`);

  expect((await h.api('POST', `/api/requests/${ref}/hold`, h.tokens.bdurand, { reason: 'attente' })).status).toBe(200);
  const onHold = mails(ref, 'Relance').length;
  await sleep(4500);
  expect(mails(ref, 'Relance').length).toBe(onHold);
});

test('a hold with a date comes back to EN_COURS by itself and tells the assignee', async () => {
  const ref = await submit('signalement-voirie');
  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.dleroy, { notifyCitizen: false })).status).toBe(200);
  const until = new Date(Date.now() + 3000).toISOString();
  const held = await h.api('POST', `/api/requests/${ref}/hold`, h.tokens.dleroy, { reason: 'retour du citoyen', until });
  expect(held.body.status).toBe('EN_ATTENTE');
  await waitFor(async () => (await status(ref)).status === 'EN_COURS', 40000, 'end of hold');
  expect((await status(ref)).events.map((e: { type: string }) => e.type)).toEqual(['SUBMITTED', 'TAKEN', 'HELD', 'HOLD_ENDED']);
  await waitFor(() => mails(ref, 'La demande').length === 1, 30000, 'hold-ended e-mail');
  expect(mails(ref, 'La demande')[0]).toMatchObject({ to: ['dleroy@mairie.example'], subject: `La demande ${ref} revient en cours de traitement` });
});

test('a delay changed while a request runs applies to it without a restart', async () => {
  await changeDelays(h.ctx, 'certificat-urbanisme', slow);
  await changeDelays(h.ctx, 'occupation-domaine-public', { ...slow, unprocessedReminderMs: 3000 });
  const shortened = await submit('certificat-urbanisme');
  const lengthened = await submit('occupation-domaine-public');

  // Lengthening: a reminder due in 3 s no longer fires once the delay becomes an hour.
  await changeDelays(h.ctx, 'occupation-domaine-public', { unprocessedReminderMs: HOUR });
  // Shortening: the request submitted with a 10-hour deletion delay expires within seconds.
  const result = await changeDelays(h.ctx, 'certificat-urbanisme', { deletionMs: 3000, deletionWarningMs: 1000 });
  expect(result.signalled).toBeGreaterThanOrEqual(1);
  await waitFor(async () => (await status(shortened)).closingCode === 'EXPIRED', 40000, 'expiry after shortening');

  await sleep(Math.max(0, 4500 - (Date.now() - Number(new Date((await status(lengthened)).createdAt)))));
  expect(mails(lengthened, 'Relance')).toHaveLength(0);
  const workflow = await h.ctx.client.workflow.getHandle(`request-${lengthened}`).query<{ delays: Delays }>('state');
  expect(workflow.delays.unprocessedReminderMs).toBe(HOUR);
});
