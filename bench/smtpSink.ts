import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in the bench process: when each message (by Message-ID) was handed to it. */
export interface SmtpSink {
  url: string;
  /** Message-ID (without <>) → performance.timeOrigin-based epoch ms at the end of DATA */
  received: Map<string, number>;
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:\s*<([^>]+)>/im;

export async function startSmtpSink(): Promise<SmtpSink> {
  const received = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Thousands of e-mails a minute, one connection each (src/mail/transport.ts).
    maxClients: 1000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // The headers come first: no need to parse the whole message.
        const id = MESSAGE_ID.exec(Buffer.concat(chunks).subarray(0, 4096).toString('utf8'))?.[1];
        if (id) {
          received.set(id, Date.now());
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
