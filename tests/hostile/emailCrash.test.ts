// E-mails when the worker dies while sending: a real worker process killed (SIGKILL) at
// random points of the SMTP transaction, while the test's SMTP server holds the DATA
// phase. Nothing is lost and nothing arrives twice, except in the window between the
// commit and the final "." (a few ms), where an e-mail may be lost, and is then marked
// unconfirmed. On SQLite and on MariaDB.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { UNCONFIRMED } from '../../src/mail/outbox';
import { smtpTransport } from '../../src/mail/transport';
import { startHarness, waitFor, type Harness } from '../support/harness';

type Phase = 'mail' | 'data' | 'dot' | 'accepted';

/**
 * An SMTP server that tells when each phase of a transaction happens, holds its answer
 * to the final "." for `holdMs()`, and keeps the messages received whole (up to the dot).
 */
async function holdingSmtp(holdMs: () => number) {
  const events = new EventEmitter();
  const received: { messageId: string; at: number }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      events.emit('phase', 'mail', performance.now());
      callback();
    },
    onData(stream, _session, callback) {
      events.emit('phase', 'data', performance.now());
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => undefined); // the client died before the dot: nothing received
      stream.on('end', () => {
        const at = performance.now();
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        received.push({ messageId, at });
        events.emit('phase', 'dot', at, messageId);
        setTimeout(() => {
          events.emit('phase', 'accepted', performance.now(), messageId);
          callback();
        }, holdMs());
      });
    },
  });
  // A killed worker's connection is reset under the server: expected here, not a failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    events,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const expectedMessageId = (key: string) => `<${key.replace(/[^A-Za-z0-9.:-]/g, '_')}@guichet>`;
const citizen = { firstName: 'Flora', lastName: 'Tristan', email: 'flora@example.org' };

let h: Harness;
let smtp: Awaited<ReturnType<typeof holdingSmtp>>;
let hold = 0;
beforeAll(async () => {
  smtp = await holdingSmtp(() => hold);
  // Every e-mail through the worker that is killed, the receipts too.
  h = await startHarness({ worker: false, webReceipts: false, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

test('the commit happens after DATA started and just before the final dot: the window to the server\'s reply is milliseconds', async () => {
  const committedAt: number[] = [];
  const transport = smtpTransport(smtp.url, { onCommitted: (at) => committedAt.push(at) });
  const phases: { phase: Phase; at: number }[] = [];
  const listen = (phase: Phase, at: number) => phases.push({ phase, at });
  smtp.events.on('phase', listen);
  const windows: { dataToCommit: number; commitToDot: number; commitToReply: number }[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      phases.length = 0;
      let commitStarted = 0;
      await transport.deliver(
        { messageId: `<mesure-${i}@guichet>`, from: 'mairie@example.org', to: 'x@example.org', subject: `Mesure ${i}`, text: 'Bonjour\n.\nligne avec un point\n'.repeat(200), html: null },
        async () => {
          commitStarted = performance.now();
          // As the outbox does: a database write.
          await h.db('emails').where({ id: -1 }).update({ status: 'COMMITTING' });
        },
      );
      const replied = performance.now();
      const at = (p: Phase) => phases.find((x) => x.phase === p)!.at;
      const committed = committedAt[i];
      // Nothing was committed before the server was in the DATA phase (the old transport committed while connecting).
      expect(at('data')).toBeLessThan(commitStarted);
      // The dot came after the commit.
      expect(committed).toBeLessThanOrEqual(at('dot'));
      windows.push({ dataToCommit: commitStarted - at('data'), commitToDot: at('dot') - committed, commitToReply: replied - committed });
    }
  } finally {
    smtp.events.off('phase', listen);
  }
  const commitToReply = windows.map((w) => w.commitToReply);
  const commitToDot = windows.map((w) => w.commitToDot);
  console.log(`commit → dot received: p50 ${quantile(commitToDot, 0.5).toFixed(2)} ms, max ${Math.max(...commitToDot).toFixed(2)} ms; commit → 250 received: p50 ${quantile(commitToReply, 0.5).toFixed(2)} ms, max ${Math.max(...commitToReply).toFixed(2)} ms (30 e-mails of 6 KB)`);
  // The window itself is printed, not asserted: a loaded machine stretches it, and time is
  // the benchmarks' to measure. What must hold is the order above, and one copy of each.
  // The same Message-ID as given: one per e-mail, whatever the attempt.
  expect(smtp.received.filter((r) => r.messageId.startsWith('<mesure-')).map((r) => r.messageId)).toEqual(windows.map((_w, i) => `<mesure-${i}@guichet>`));
});

test('a worker killed at random points of sending: 0 lost, 0 duplicate outside the commit-to-dot window', async () => {
  const rounds = 8;
  const kills: string[] = [];
  const references: string[] = [];
  const phases: Phase[] = ['mail', 'data', 'data', 'dot', 'accepted'];
  let child: ChildProcess | null = null;
  for (let round = 0; round < rounds; round++) {
    hold = Math.floor(Math.random() * 300);
    child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, '../support/workerProcess.ts')], { env: h.env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    await new Promise<void>((resolve) => child!.stdout!.once('data', () => resolve()));
    const phase = phases[Math.floor(Math.random() * phases.length)];
    const delay = Math.floor(Math.random() * 15);
    const reached = new Promise<void>((resolve) => {
      const on = (p: Phase) => {
        if (p === phase) {
          smtp.events.off('phase', on);
          resolve();
        }
      };
      smtp.events.on('phase', on);
    });
    for (let i = 0; i < 2; i++) {
      const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: {} });
      expect(res.status).toBe(201);
      references.push(res.body.reference);
    }
    await Promise.race([reached, new Promise((r) => setTimeout(r, 30000))]);
    await new Promise((r) => setTimeout(r, delay));
    child.kill('SIGKILL');
    await exited;
    kills.push(`${phase}+${delay}ms (hold ${hold} ms)`);
  }
  // A worker that lives takes over what the dead ones left (after their activities time out).
  hold = 0;
  await h.startWorker();
  const ids = (await h.db('requests').whereIn('reference', references).select('id')).map((r: { id: number }) => r.id);
  const rows = await waitFor(async () => {
    const all = await h.db('emails').whereIn('request_id', ids).select('id', 'idempotency_key', 'status', 'attempts', 'error');
    // receipt + 3 information e-mails per request, all settled
    return all.length === ids.length * 4 && all.every((r: { status: string }) => r.status === 'SENT' || r.status === 'FAILED') ? all : null;
  }, 120000, 'every e-mail settled');

  const count = (key: string) => smtp.received.filter((r) => r.messageId === expectedMessageId(key)).length;
  const duplicates = rows.filter((r: { idempotency_key: string }) => count(r.idempotency_key) > 1);
  const lostInWindow = rows.filter((r: { idempotency_key: string; error: string | null }) => count(r.idempotency_key) === 0 && r.error === UNCONFIRMED);
  const lost = rows.filter((r: { idempotency_key: string; error: string | null }) => count(r.idempotency_key) === 0 && r.error !== UNCONFIRMED);
  const resent = rows.filter((r: { attempts: number }) => r.attempts > 1);
  const unconfirmedReceived = rows.filter((r: { idempotency_key: string; error: string | null }) => r.error === UNCONFIRMED && count(r.idempotency_key) === 1);
  console.log([
    `kills: ${kills.join(', ')}`,
    `e-mails ${rows.length}: sent again after a kill ${resent.length} (received once each), taken as sent after a kill past the commit ${unconfirmedReceived.length + lostInWindow.length} (received ${unconfirmedReceived.length}, lost in the commit-to-dot window ${lostInWindow.length}), duplicates ${duplicates.length}, lost otherwise ${lost.length}`,
  ].join('\n'));
  expect(rows.every((r: { status: string }) => r.status === 'SENT')).toBe(true);
  expect(duplicates).toEqual([]);
  expect(lost).toEqual([]);
  // A loss is possible only for an e-mail whose commit-to-dot window a kill landed in. The
  // worker sends several e-mails at once, so the phase a kill is labelled with is that of
  // the first e-mail to reach it, not of every e-mail in flight: bounded by the kills.
  expect(lostInWindow.length).toBeLessThanOrEqual(kills.length);
  // The kills did land in the transaction: some e-mails had to be sent again or taken as sent.
  expect(resent.length + unconfirmedReceived.length + lostInWindow.length).toBeGreaterThan(0);
  // Every e-mail that arrived carries the Message-ID of its key, whatever the attempt that carried it.
  for (const r of rows) {
    if (count(r.idempotency_key) === 1) {
      expect(smtp.received.some((m) => m.messageId === expectedMessageId(r.idempotency_key))).toBe(true);
    }
  }
  expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
}, 300000);
