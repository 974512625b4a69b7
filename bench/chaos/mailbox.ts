// The chaos run's SMTP server: a real one (smtp-server), in the chaos process, that keeps
// the Message-ID, the recipients and the arrival time of every message it accepts. Guichet
// sends each e-mail with a Message-ID derived from its idempotency key, so the checks can
// tell a resend (same Message-ID twice) from a second e-mail of the same kind.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  at: number;
}

export interface Mailbox {
  url: string;
  mails: ReceivedMail[];
  /** connections that failed during a transaction: a worker killed while sending */
  cutOff: string[];
  close(): Promise<void>;
}

/** The Message-ID header of a raw message (folded headers unfolded), without reading the body. */
function messageIdOf(raw: string): string {
  const headers = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const match = /^message-id:\s*(.+)$/im.exec(headers);
  return match ? match[1].trim() : '';
}

export async function startMailbox(): Promise<Mailbox> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A few thousand messages from one worker: no per-connection limits to trip over.
    maxClients: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        // Recorded when the whole message is in, just before the server says 250: what a
        // real server would have accepted (a sender dying before the final dot is dropped).
        mails.push({
          messageId: messageIdOf(Buffer.concat(chunks).toString('utf8')),
          to: session.envelope.rcptTo.map((r) => r.address),
          at: Date.now(),
        });
        callback();
      });
    },
  });
  // A sender killed in the middle of a transaction resets its connection, which smtp-server
  // reports as an 'error' event: expected here (the worker is killed on purpose), and
  // unhandled it would end this process.
  const cutOff: string[] = [];
  server.on('error', (err: Error & { code?: string }) => {
    cutOff.push(`${new Date().toISOString()} ${err.code ?? ''} ${err.message}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    cutOff,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
