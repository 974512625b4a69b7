// SIGTERM to a real `guichet web` process while an agent's action waits on a Temporal
// Update that no worker has answered yet: the process refuses new connections, closes its
// idle ones, says 503 on /readyz and to a request that arrives on an open connection
// (writing nothing), lets the action finish once a worker comes, then exits 0. On SQLite
// and on MariaDB.
import { freePort } from '../src/temporal/devServer';
import { StoppedGuichet } from './support/guichetProcess';
import { startHarness, waitFor, type Harness } from './support/harness';
import { RawConnection, refused } from './support/rawHttp';

let h: Harness;
let started: StoppedGuichet | null = null;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await started?.stop();
  await h?.close();
});

const citizen = { firstName: 'Louise', lastName: 'Michel', email: 'louise@example.org' };

/** The head of a request, up to its last header (the blank line that ends it not sent). */
function head(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}`;
}

/** A `guichet web` process, with a request filed through it (whose workflow no worker has run yet). */
async function webWithRequest(): Promise<{ web: StoppedGuichet; port: number; reference: string }> {
  const port = await freePort();
  const web = new StoppedGuichet('web', { ...h.env, SHUTDOWN_GRACE_SECONDS: '120' }, port);
  started = web;
  await web.start();
  const filed = await fetch(`http://127.0.0.1:${port}/api/requests`, {
    method: 'POST', headers: { authorization: `Bearer ${h.partnerKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ formType: 'acte-naissance', citizen, answers: {} }),
  });
  expect(filed.status).toBe(201);
  return { web, port, reference: ((await filed.json()) as { reference: string }).reference };
}

/**
 * An agent's take, its headers read by the app (« 100 Continue »), then its body: while no
 * worker runs, it waits on its Update.
 */
async function takeInFlight(port: number, reference: string): Promise<RawConnection> {
  const take = new RawConnection(port);
  const body = JSON.stringify({ notifyCitizen: false });
  take.write(head('POST', `/api/requests/${reference}/take`, {
    authorization: `Bearer ${h.tokens.amartin}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue',
  }) + '\r\n');
  await take.continued();
  take.write(body);
  return take;
}

test('SIGTERM: the action in flight ends normally, nothing new gets in, and the process exits 0', async () => {
  const { web, port, reference } = await webWithRequest();
  const requestsBefore = Number((await h.db('requests').count({ n: '*' }).first())!.n);

  // Two connections whose requests are half sent (written first, so that the server has read
  // them by the time the exchanges below are done): the drain finds them under way.
  const probe = new RawConnection(port);
  probe.write(head('GET', '/readyz', {}));
  const submission = new RawConnection(port);
  const form = JSON.stringify({ formType: 'acte-naissance', citizen, answers: {} });
  submission.write(head('POST', '/api/requests', { authorization: `Bearer ${h.partnerKey}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(form)) }));
  await Promise.all([probe.connected, submission.connected]);

  const take = await takeInFlight(port, reference);

  // A kept-alive connection, idle once its first answer came.
  const idle = new RawConnection(port);
  idle.write(head('GET', '/healthz', {}) + '\r\n');
  expect((await idle.answer()).status).toBe(200);
  await new Promise((r) => setTimeout(r, 500)); // a margin on a loaded machine; no assertion rests on it

  web.signal('SIGTERM');
  await waitFor(() => refused(port), 20000, 'new connections refused');
  await idle.closed;

  probe.write('\r\n');
  const readyz = await probe.answer();
  expect(readyz.status).toBe(503);
  expect(JSON.parse(readyz.body)).toEqual({ ready: false, draining: true });
  expect(readyz.headers.connection).toBe('close');

  submission.write(`\r\n${form}`);
  const refusedSubmission = await submission.answer();
  expect(refusedSubmission.status).toBe(503);
  expect(JSON.parse(refusedSubmission.body)).toEqual({ error: { code: 'SHUTTING_DOWN', message: expect.stringMatching(/s'arrête.*réessayez/) } });
  expect(Number((await h.db('requests').count({ n: '*' }).first())!.n)).toBe(requestsBefore);
  await submission.closed;

  // The action still waits; a worker comes, the Update is answered, the agent gets the normal answer.
  expect(web.running).toBe(true);
  await h.startWorker();
  const taken = await take.answer();
  expect(taken.status).toBe(200);
  expect(JSON.parse(taken.body)).toMatchObject({ reference, status: 'EN_COURS' });
  expect(taken.headers.connection).toBe('close');
  await take.closed;

  expect(await web.exited()).toEqual({ code: 0, signal: null });
  expect(web.output()).toMatch(/web: draining/);
  expect(await h.db('requests').where({ reference }).first('status')).toEqual({ status: 'EN_COURS' });
}, 300000);

test('a second SIGTERM does not wait for the action in flight', async () => {
  await h.stopWorker();
  const { web, port, reference } = await webWithRequest();
  const take = await takeInFlight(port, reference);

  web.signal('SIGTERM');
  await waitFor(() => refused(port), 20000, 'new connections refused');
  web.signal('SIGTERM');
  expect(await web.exited()).toEqual({ code: 143, signal: null });
  await take.closed;
}, 300000);
