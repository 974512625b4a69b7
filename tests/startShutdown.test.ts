// `guichet start` (web and worker in one process; Temporal given, so no dev server here)
// stopped by Ctrl-C (SIGINT) while its worker hands an e-mail to a slow SMTP server: the
// web drains first (its port refused at once), then the worker, whose e-mails are each
// received once and recorded SENT; the process exits 0. On SQLite and on MariaDB.
import { freePort } from '../src/temporal/devServer';
import { StoppedGuichet } from './support/guichetProcess';
import { startHarness, waitFor, type Harness } from './support/harness';
import { refused } from './support/rawHttp';
import { copiesOf, fileWithEmail, phase, settledEmails, slowSmtp, type SlowSmtp } from './support/slowSmtp';

let h: Harness;
let smtp: SlowSmtp;
let guichet: StoppedGuichet | null = null;
beforeAll(async () => {
  smtp = await slowSmtp(1500);
  // The receipts too through the stopped process's worker, whose drain this tests.
  h = await startHarness({ worker: false, webReceipts: false, env: { SMTP_URL: smtp.url, MAIL_FROM: 'mairie@example.org' } });
});
afterAll(async () => {
  await guichet?.stop();
  await h?.close();
  await smtp?.close();
});

test('SIGINT while an e-mail is mid-send: the web drains, then the worker; each e-mail once, SENT; exit 0', async () => {
  const port = await freePort();
  guichet = new StoppedGuichet('start', h.env, port);
  await guichet.start(); // it bundles the workflows first: long on a loaded machine (it waits up to 10 minutes)
  const sending = phase(smtp, 'data');
  const requestId = await fileWithEmail(h, 'ada@example.org');
  await sending;
  guichet.signal('SIGINT');
  await waitFor(() => refused(port), 20000, 'new connections refused');
  expect(await guichet.exited()).toEqual({ code: 0, signal: null });

  const output = guichet.output();
  expect(output.indexOf('web: draining')).toBeGreaterThan(-1);
  expect(output.indexOf('worker: draining')).toBeGreaterThan(output.indexOf('web: draining'));
  const rows = await settledEmails(h, requestId);
  for (const row of rows) {
    expect(row).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(copiesOf(smtp, row.idempotency_key)).toBe(1);
  }
}, 900000);
