// SIGTERM to a real `guichet worker` process while it hands an e-mail to an SMTP server
// that answers slowly. Within the grace, the activity finishes: each e-mail is received
// once, recorded SENT at its first attempt, and the worker exits 0. Past the grace (a
// server that does not answer), the worker gives the activity up and exits; another
// worker retries it: the e-mail is received once, not lost. On SQLite and on MariaDB.
import fs from 'node:fs';
import path from 'node:path';
import { StoppedGuichet } from './support/guichetProcess';
import { startHarness, type Harness } from './support/harness';
import { copiesOf, fileWithEmail, phase, settledEmails, slowSmtp, type SlowSmtp } from './support/slowSmtp';

let h: Harness;
let smtp: SlowSmtp;
let worker: StoppedGuichet | null = null;
beforeAll(async () => {
  smtp = await slowSmtp(1500);
  // The receipts too through the worker, whose drain this tests.
  h = await startHarness({ worker: false, webReceipts: false, env: { SMTP_URL: smtp.url, MAIL_FROM: 'mairie@example.org' } });
});
afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await smtp?.close();
});

const file = (email: string) => fileWithEmail(h, email);
const settled = (requestId: number) => settledEmails(h, requestId);
const copies = (key: string) => copiesOf(smtp, key);

test('SIGTERM while an e-mail is mid-send: the activity finishes, each e-mail is received once and recorded SENT, the worker exits 0', async () => {
  worker = new StoppedGuichet('worker', h.env);
  await worker.start();
  // It found the bundle of this version of the code (WORKFLOW_BUNDLE_DIR) instead of making its own.
  expect(fs.readdirSync(path.dirname(process.env.GUICHET_TEST_BUNDLE!))).toEqual([path.basename(process.env.GUICHET_TEST_BUNDLE!)]);
  expect(worker.output()).not.toMatch(/bundle created/i);
  const sending = phase(smtp, 'data');
  const requestId = await file('marie@example.org');
  await sending;
  worker.signal('SIGTERM');
  expect(await worker.exited()).toEqual({ code: 0, signal: null });

  const rows = await settled(requestId);
  for (const row of rows) {
    expect(row).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(copies(row.idempotency_key)).toBe(1);
  }
  expect(worker.output()).not.toMatch(/activities still running/);
}, 900000);

test('an e-mail that outlives the grace is given up by the stopping worker and sent once by another', async () => {
  worker = new StoppedGuichet('worker', { ...h.env, SHUTDOWN_GRACE_SECONDS: '1' });
  await worker.start();
  smtp.stall('mairie@example.org');
  const stalled = phase(smtp, 'mail');
  const requestId = await file('irene@example.org');
  await stalled;
  worker.signal('SIGTERM');
  expect(await worker.exited()).toEqual({ code: 0, signal: null });
  expect(worker.output()).toMatch(/activities still running/);

  // Another worker: the attempt given up on is retried once its heartbeat lapses.
  await h.startWorker();
  const rows = await settled(requestId);
  expect(smtp.stalls()).toBe(1);
  for (const row of rows) {
    expect(row.status).toBe('SENT');
    expect(copies(row.idempotency_key)).toBe(1);
  }
  expect(rows.some((r: { attempts: number }) => r.attempts > 1)).toBe(true);
  await h.stopWorker();
}, 900000);
