import { SMTPServer } from 'smtp-server';
import { smtpTransport, type OutgoingEmail } from '../src/mail/transport';
import { listening } from './support/smtp';

// The SMTP transport keeps its connections between e-mails (src/mail/transport.ts): one
// handshake for many e-mails, and a kept connection the server closed meanwhile is
// replaced, the e-mail sent once and committed once.

function countingServer() {
  const received: string[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        received.push(/^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '');
        callback();
      });
    },
  });
  return { server, received, connections: () => connections };
}

/** A counting server and a transport to it, for the time of `run`. */
async function withServer(run: (s: ReturnType<typeof countingServer> & { transport: ReturnType<typeof smtpTransport> }) => Promise<void>) {
  const counting = countingServer();
  const smtp = await listening(counting.server);
  const transport = smtpTransport(smtp.url);
  try {
    await run({ ...counting, transport });
  } finally {
    transport.close();
    await smtp.close();
  }
}

const email = (n: number): OutgoingEmail => ({ messageId: `<essai-${n}@guichet>`, from: 'mairie@example.org', to: 'usager@example.org', subject: `Essai ${n}`, text: 'Bonjour', html: null });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('e-mails one after another share one connection; each is committed once and received once', () => withServer(async ({ transport, received, connections }) => {
  let commits = 0;
  for (let n = 1; n <= 5; n += 1) {
    await transport.deliver(email(n), async () => void (commits += 1));
    await pause(20); // the RSET's answer, before the next e-mail takes the connection
  }
  expect(received).toEqual([1, 2, 3, 4, 5].map((n) => `<essai-${n}@guichet>`));
  expect(commits).toBe(5);
  expect(connections()).toBe(1);

  // Two at once need two connections; both are kept, and the next two reuse them.
  await Promise.all([6, 7].map((n) => transport.deliver(email(n), async () => undefined)));
  await pause(20);
  await Promise.all([8, 9].map((n) => transport.deliver(email(n), async () => undefined)));
  expect(received).toHaveLength(9);
  expect(connections()).toBe(2);
}));

test('a kept connection the server closed meanwhile: the e-mail goes through a new one, once', () => withServer(async ({ server, transport, received, connections }) => {
  await transport.deliver(email(1), async () => undefined);
  await pause(20);
  // The server drops every open connection, as one does after its idle timeout.
  for (const connection of (server as unknown as { connections: Set<{ close(): void }> }).connections) connection.close();
  let commits = 0;
  await transport.deliver(email(2), async () => void (commits += 1));
  expect(received).toEqual(['<essai-1@guichet>', '<essai-2@guichet>']);
  expect(commits).toBe(1);
  expect(connections()).toBe(2);
}));

test('a commit refused on a kept connection: the e-mail is not sent, and not tried again on another connection', () => withServer(async ({ transport, received, connections }) => {
  await transport.deliver(email(1), async () => undefined);
  await pause(20);
  await expect(transport.deliver(email(2), async () => {
    throw new Error('tentative 1 dépassée par une plus récente');
  })).rejects.toThrow(/dépassée/);
  await pause(100);
  expect(received).toEqual(['<essai-1@guichet>']);
  expect(connections()).toBe(1);
}));
