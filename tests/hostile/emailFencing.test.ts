// Two attempts at one e-mail at once: a worker killed without notice leaves its activity
// running until its timeout, and Temporal may start the retry on another worker while
// the first attempt is still talking to the SMTP server. The outbox fences on the attempt
// number: only the newest attempt may commit, so the older one gives up before the final
// dot and the server keeps one copy. And a filing undone after its workflow started: the
// workflow ends at its first step, sending nothing. On SQLite and on MariaDB.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { recordEmail } from '../../src/db/emails';
import { DEFAULT_DELAYS } from '../../src/db/formTypes';
import { deliverEmail } from '../../src/mail/outbox';
import { smtpTransport } from '../../src/mail/transport';
import { requestWorkflow } from '../../workflows';
import { startHarness, waitFor, type Harness } from '../support/harness';

/** An SMTP server that holds the first MAIL FROM it gets until `release()`. */
async function stallingSmtp() {
  const received: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let mailFroms = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      mailFroms += 1;
      if (mailFroms === 1) {
        released.then(() => callback());
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => undefined);
      stream.on('end', () => {
        received.push(/^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '');
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

test('an attempt overtaken by a newer one does not commit: the server receives the e-mail once', async () => {
  const smtp = await stallingSmtp();
  const transport = smtpTransport(smtp.url);
  try {
    const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Olympe', lastName: 'de Gouges', email: 'olympe@example.org' }, answers: {} });
    expect(filed.status).toBe(201);
    const request = await h.db('requests').where({ reference: filed.body.reference }).first('id');
    const emailId = await recordEmail(h.db, { key: `${filed.body.reference}:FENCE`, requestId: request.id, kind: 'ACKNOWLEDGEMENT', agentId: null, to: 'olympe@example.org', subject: 'Votre demande', text: 'Bonjour', html: null });

    // The first attempt stalls at MAIL FROM, as one would on a worker about to be declared dead.
    const first = deliverEmail(h.db, transport, 'mairie@example.org', emailId);
    await waitFor(async () => (await h.db('emails').where({ id: emailId }).first('attempts')).attempts === 1, 10000, 'the first attempt');
    // The retry, as Temporal starts it after the activity's timeout, goes through.
    await deliverEmail(h.db, transport, 'mairie@example.org', emailId);
    expect(await h.db('emails').where({ id: emailId }).first('status', 'attempts')).toEqual({ status: 'SENT', attempts: 2 });

    smtp.release();
    await expect(first).rejects.toThrow(/tentative 1 dépassée/);
    // Give a wrongly finished first attempt time to arrive, then count.
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received).toEqual([`<${filed.body.reference}:FENCE@guichet>`]);
    expect((await h.db('emails').where({ id: emailId }).first('status')).status).toBe('SENT');
  } finally {
    transport.close();
    await smtp.close();
  }
});

test('a workflow whose filing was undone (its rows gone) ends at its first step and sends nothing', async () => {
  await h.startWorker();
  try {
    const reference = `${h.config.referencePrefix}-RETIREE-1`;
    const handle = await h.ctx.client.workflow.start(requestWorkflow, {
      workflowId: `request-${reference}`,
      taskQueue: h.config.taskQueue,
      args: [{ requestId: 987654321, reference, submittedAt: Date.now(), delays: DEFAULT_DELAYS }],
    });
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    // The first test's request gets its announcements now that a worker runs: only this reference's mails count.
    expect(h.mails.filter((m) => m.messageId.includes(reference))).toEqual([]);
    expect(await h.db('emails').where({ request_id: 987654321 }).count({ n: '*' }).first()).toEqual({ n: 0 });
  } finally {
    await h.stopWorker();
  }
});
