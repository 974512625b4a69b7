import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announcerWorkflowId, ensureAnnouncerWorkflow } from '../src/accounts/digestSchedule';
import type { Transport } from '../src/mail/transport';
import { workflowIdOf } from '../workflows/definitions';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// A new request's arrival work leaves from the web process as soon as the filing is accepted
// (src/commands/arrival.ts): the citizen's receipt (src/mail/receipt.ts), the partners'
// webhook deliveries, its place in the agents' next batch; the workflow's arrival step does
// it only when the web could not.

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

test('from the filing to the receipt, the web reads the citizen once, looks its receipt\'s key up once and writes the deadlines once', async () => {
  h = await startHarness({ worker: false });
  const sent = (ref: string) => waitFor(async () => (await h.db('emails').where({ idempotency_key: `${ref}:RECEIPT` }).first('status'))?.status === 'SENT', 15000, 'the receipt recorded as sent');
  // A first filing, its arrival work done: what the web reads once per process is read.
  await sent((await submitRequest(h, { citizen })).reference);
  const queries: string[] = [];
  const note = (q: { sql: string }) => queries.push(q.sql);
  h.db.on('query', note);
  const { reference: ref } = await submitRequest(h, { citizen });
  await sent(ref);
  h.db.off('query', note);
  const count = (pattern: RegExp) => queries.filter((q) => pattern.test(q)).length;
  expect({
    personal: count(/^select .* from [`"]request_personal[`"]/i),
    receiptKey: count(/^select [`"]id[`"] from [`"]emails[`"] where [`"]idempotency_key[`"]/i),
    deadlines: count(/^update [`"]requests[`"] set .*[`"]due_at[`"]/is),
  }).toEqual({ personal: 1, receiptKey: 1, deadlines: 1 });
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

test('no worker running, agents e-mailed in batches: the web does the whole arrival work (receipt, webhook delivery started, waiting for the batch); the worker, later, repeats none of it', async () => {
  const posts: string[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    h = await startHarness({ worker: false, env: { NEW_REQUEST_BATCH_SECONDS: '2', WEBHOOK_ALLOW_PRIVATE: 'true' } });
    const hook = await h.api('POST', '/api/webhooks', h.partnerKey, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/guichet` });
    expect(hook.status).toBe(201);
    const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: {} });
    expect(filed.status).toBe(201);
    const ref: string = filed.body.reference;
    const id = Number((await h.db('requests').where({ reference: ref }).first('id')).id);

    await waitFor(async () => receipts(ref).length === 1 && (await h.db('requests').where({ id, announced_in: 0 }).first()), 15000, 'the receipt and the request waiting for its batch, without a worker');
    const delivery = await waitFor(async () => h.db('webhook_deliveries').where({ request_id: id, workflow_started: true }).first(), 15000, 'the delivery\'s workflow started');
    expect(delivery).toMatchObject({ event: 'SUBMITTED', status: 'PENDING' });
    expect(posts).toEqual([]); // POSTed by the worker's delivery workflow, once one runs

    await h.startWorker();
    await ensureAnnouncerWorkflow(h.ctx);
    const agents = await waitFor(async () => {
      const rows = await h.db('emails').where({ kind: 'NEW_REQUEST', request_id: id, status: 'SENT' }).pluck('agent_id');
      return rows.length > 0 ? rows : null;
    }, 30000, 'the agents\' e-mails of the batch');
    await waitFor(async () => (await h.db('webhook_deliveries').where({ request_id: id }).first()).status === 'DELIVERED', 15000, 'the delivery POSTed');
    // The workflow's own step ran too (the request's first task): it found everything done.
    await waitFor(async () => (await h.ctx.client.workflow.getHandle(workflowIdOf(ref)).fetchHistory()).events!.some((e) => e.markerRecordedEventAttributes), 15000, 'the workflow\'s arrival step');
    expect(posts.filter((b) => b.includes(ref))).toHaveLength(1);
    expect(await h.db('webhook_deliveries').where({ request_id: id })).toHaveLength(1);
    expect(receipts(ref)).toHaveLength(1);
    expect(await receiptRow(id)).toEqual([{ status: 'SENT', attempts: 1 }]);
    expect(new Set(agents).size).toBe(agents.length);
    await h.ctx.client.workflow.getHandle(announcerWorkflowId(h.config.taskQueue)).terminate();
  } finally {
    receiver.close();
  }
});
