// An SMTP server that answers slowly, or not at all, for the tests that stop a worker
// while it sends; and the e-mails of a request filed for them.
import { EventEmitter } from 'node:events';
import { SMTPServer } from 'smtp-server';
import { waitFor, type Harness } from './harness';
import { listening } from './smtp';

/**
 * An SMTP server that answers each final dot after `holdMs`, and holds the MAIL FROM of
 * the messages `stalled` names (the first time only) until the connection is gone.
 */
export async function slowSmtp(holdMs: number) {
  const events = new EventEmitter();
  const received: string[] = [];
  const stalled = new Set<string>();
  let stalls = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(address, _session, callback) {
      events.emit('phase', 'mail', address.address);
      if (stalled.delete(address.address)) {
        stalls += 1;
        return; // never answered: the client's connection dies with its process
      }
      callback();
    },
    onData(stream, _session, callback) {
      events.emit('phase', 'data');
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => undefined);
      stream.on('end', () => {
        received.push(/^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '');
        setTimeout(() => callback(), holdMs);
      });
    },
  });
  return {
    ...(await listening(server)),
    events,
    received,
    /** The next message from this sender stalls at MAIL FROM. */
    stall: (from: string) => stalled.add(from),
    stalls: () => stalls,
  };
}

export type SlowSmtp = Awaited<ReturnType<typeof slowSmtp>>;

/** Resolves when the server reaches this phase of a transaction (`mail`, `data`). */
export const phase = (smtp: SlowSmtp, which: string) =>
  new Promise<void>((resolve) => {
    const on = (p: string) => {
      if (p === which) {
        smtp.events.off('phase', on);
        resolve();
      }
    };
    smtp.events.on('phase', on);
  });

const messageIdOf = (key: string) => `<${key.replace(/[^A-Za-z0-9.:-]/g, '_')}@guichet>`;

/** Files a request whose citizen gets a receipt; its id. */
export async function fileWithEmail(h: Harness, email: string): Promise<number> {
  const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Marie', lastName: 'Curie', email }, answers: {} });
  expect(res.status).toBe(201);
  return Number((await h.db('requests').where({ reference: res.body.reference }).first('id')).id);
}

/** The request's e-mails once they are all settled: the receipt and the three agents' information. */
export const settledEmails = (h: Harness, requestId: number) => waitFor(async () => {
  const rows = await h.db('emails').where({ request_id: requestId }).select('idempotency_key', 'status', 'attempts');
  return rows.length === 4 && rows.every((r: { status: string }) => r.status === 'SENT' || r.status === 'FAILED') ? rows : null;
}, 180000, 'the e-mails settled');

/** How many copies of the e-mail of this key the server received. */
export const copiesOf = (smtp: SlowSmtp, key: string) => smtp.received.filter((m) => m === messageIdOf(key)).length;
