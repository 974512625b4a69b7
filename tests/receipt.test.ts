import type { Transport } from '../src/mail/transport';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// The citizen's receipt leaves from the web process as soon as the filing is accepted
// (src/mail/receipt.ts); the workflow's arrival step sends it only when the web could not.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const citizen = { firstName: 'Olympe', lastName: 'de Gouges', email: 'olympe.degouges@example.org' };
const ETAT_CIVIL = ['admin@mairie.example', 'amartin@mairie.example', 'bdurand@mairie.example'];
const receipts = (ref: string) => h.mails.filter((m) => m.subject === `Votre demande ${ref} a bien été reçue`);

async function receiptRow(id: number) {
  return h.db('emails').where({ request_id: id, kind: 'RECEIPT' }).select('status', 'attempts');
}

test('no worker running: the receipt goes out at once from the web; the workflow, later, sends the agents\' e-mails and not the receipt again', async () => {
  h = await startHarness({ worker: false });
  const { reference: ref, id } = await submitRequest(h, { citizen });
  await waitFor(() => receipts(ref).length === 1, 15000, 'the receipt, without a worker');
  expect(receipts(ref)[0].to).toEqual([citizen.email]);
  expect(h.mails.filter((m) => m.subject.includes(ref))).toHaveLength(1);

  await h.startWorker();
  await waitFor(() => h.mails.filter((m) => m.subject.startsWith(`Nouvelle demande ${ref}`)).length === ETAT_CIVIL.length, 15000, 'the agents\' e-mails');
  expect(receipts(ref)).toHaveLength(1);
  expect(await receiptRow(id)).toEqual([{ status: 'SENT', attempts: 1 }]);
});

test('the web\'s attempt fails (its SMTP refuses): the workflow\'s arrival step sends the receipt, once', async () => {
  h = await startHarness();
  const refusing: Transport = { name: 'smtp', deliver: async () => { throw new Error('421 service indisponible'); }, close: () => undefined };
  h.ctx.transport = refusing;
  const { reference: ref, id } = await submitRequest(h, { citizen });
  await waitFor(() => receipts(ref).length === 1, 30000, 'the receipt, from the workflow');
  await waitFor(async () => (await receiptRow(id))[0]?.status === 'SENT', 15000, 'the receipt recorded as sent');
  // The web's attempt (1) failed before its commit; the workflow's (2) went out.
  expect(await receiptRow(id)).toEqual([{ status: 'SENT', attempts: 2 }]);
  expect(receipts(ref)).toHaveLength(1);
});

test('filed through the API with a worker running: one receipt, sent by whichever came first, never twice', async () => {
  h = await startHarness();
  const refs: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: {} });
    expect(res.status).toBe(201);
    refs.push(res.body.reference);
  }
  await waitFor(() => refs.every((ref) => h.mails.filter((m) => m.subject.startsWith(`Nouvelle demande ${ref}`)).length === ETAT_CIVIL.length), 30000, 'every arrival step');
  expect(refs.map((ref) => receipts(ref).length)).toEqual(refs.map(() => 1));
  const rows = await h.db('emails as e').join('requests as r', 'r.id', 'e.request_id').whereIn('r.reference', refs).where('e.kind', 'RECEIPT').select('e.status');
  expect(rows.map((r: { status: string }) => r.status)).toEqual(refs.map(() => 'SENT'));
});
