import { Readable } from 'node:stream';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface OutgoingEmail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/**
 * Delivers one e-mail. `commit` must be called at the last moment at which the
 * delivery can still be abandoned: once it has returned, the e-mail counts as sent.
 */
export interface Transport {
  readonly name: 'database' | 'smtp';
  deliver(email: OutgoingEmail, commit: () => Promise<void>): Promise<void>;
  close(): void;
}

/** Embedded default: the e-mail row itself is the mailbox, shown on the dev mailbox page. */
export function databaseTransport(): Transport {
  return {
    name: 'database',
    deliver: async (_email, commit) => commit(),
    close: () => undefined,
  };
}

async function compose(email: OutgoingEmail): Promise<Buffer> {
  const composer = new MailComposer({
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html ?? undefined,
    messageId: email.messageId,
  });
  return composer.compile().build();
}

/**
 * A message that ends only once `commit` has returned. The SMTP data stream appends the
 * terminating "." when this stream ends, so the commit runs after every byte of the
 * message went into the data stream (it asks for more only then) and just before that
 * dot: nothing reads ahead (the stream is read only once DATA was accepted).
 */
export function committingMessage(raw: Buffer, commit: () => Promise<void>, onCommitted?: (at: number) => void): Readable {
  let pushed = false;
  return new Readable({
    highWaterMark: 1,
    read() {
      if (!pushed) {
        pushed = true;
        this.push(raw);
        return;
      }
      commit().then(() => {
        onCommitted?.(performance.now());
        this.push(null);
      }, (err: unknown) => this.destroy(err as Error));
    },
  });
}

/** The envelope takes the address alone: "Guichet <guichet@mairie.example>" → guichet@mairie.example. */
function bare(address: string): string {
  const [first] = addressparser(address, { flatten: true });
  return (first && 'address' in first && first.address) || address;
}

type SmtpOptions = ConstructorParameters<typeof SMTPConnection>[0] & { auth?: { user: string; pass: string } };

function call<T>(fn: (done: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** Connections kept open between e-mails (a handshake each otherwise), and for how long. */
const IDLE_CONNECTIONS = 16;
const IDLE_MS = 10_000;

/** A step of `connection`, failing as soon as the connection does (which says so by an event, not through the step). */
function step<T>(connection: SMTPConnection, fn: (done: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  let onError!: (err: Error) => void;
  let onEnd!: () => void;
  const broken = new Promise<never>((_resolve, reject) => {
    onError = reject;
    onEnd = () => reject(new Error('connexion SMTP fermée par le serveur'));
    connection.once('error', onError);
    connection.once('end', onEnd);
  });
  broken.catch(() => undefined);
  return Promise.race([call(fn), broken]).finally(() => {
    connection.removeListener('error', onError);
    connection.removeListener('end', onEnd);
  });
}

/** Closed (after QUIT when `politely`); an error it reports later is of no interest, and must not go unheard. */
function discard(connection: SMTPConnection, politely = false): void {
  connection.on('error', () => undefined);
  if (politely) {
    connection.quit();
  } else {
    connection.close();
  }
}

/** The socket of a parked connection must not keep a process (a CLI command) alive. */
const socketOf = (connection: SMTPConnection) => (connection as unknown as { _socket?: { ref(): void; unref(): void } })._socket;

/**
 * SMTP, driven step by step (nodemailer's SMTPConnection, not its mailer, which reads the
 * message ahead while it is still connecting). `commit` runs between the last byte of the
 * message and the final "." that makes the server accept it. Dying before the commit
 * leaves the transaction unfinished: the server drops it and the retry sends it again.
 * Dying after it leaves a COMMITTING row, taken as sent: lost only if the dot never
 * reached the server (a few milliseconds). After an e-mail, the connection is reset (RSET)
 * and kept for the next one; a kept connection that fails before the commit (the server
 * closed it meanwhile) is replaced by a new one for the same attempt.
 */
export function smtpTransport(url: string, hooks: { onCommitted?: (at: number) => void } = {}): Transport {
  const options = parseConnectionUrl(url) as SmtpOptions;
  const idle: { connection: SMTPConnection; forget(): void }[] = [];

  const open = async (): Promise<SMTPConnection> => {
    // Short enough that an attempt usually ends within its activity's 15 s (a late one
    // cannot commit anyway: the outbox fences on its attempt number).
    const connection = new SMTPConnection({ ...options, connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 8_000 });
    try {
      await step<void>(connection, (done) => connection.connect(() => done(null)));
      if (options.auth?.user) {
        await step(connection, (done) => connection.login(options.auth, done));
      }
      return connection;
    } catch (err) {
      discard(connection);
      throw err;
    }
  };

  const take = (): SMTPConnection | undefined => {
    const kept = idle.pop();
    kept?.forget();
    return kept?.connection;
  };

  /** Reset, then kept for the next e-mail while there is room; closed otherwise. */
  const park = async (connection: SMTPConnection): Promise<void> => {
    if (idle.length >= IDLE_CONNECTIONS) {
      discard(connection, true);
      return;
    }
    await step(connection, (done) => connection.reset(done));
    const drop = () => {
      const at = idle.findIndex((k) => k.connection === connection);
      if (at >= 0) idle.splice(at, 1)[0].forget();
      discard(connection);
    };
    const timer = setTimeout(drop, IDLE_MS).unref();
    connection.on('error', drop);
    connection.on('end', drop);
    socketOf(connection)?.unref();
    idle.push({
      connection,
      forget: () => {
        clearTimeout(timer);
        connection.removeListener('error', drop);
        connection.removeListener('end', drop);
        socketOf(connection)?.ref();
      },
    });
  };

  /** Kept when it can be, closed otherwise: the e-mail is sent either way. */
  const keep = (connection: SMTPConnection) => park(connection).catch(() => discard(connection));

  return {
    name: 'smtp',
    async deliver(email, commit) {
      const raw = await compose(email);
      let committing = false;
      const send = (connection: SMTPConnection) => step(connection, (done) => connection.send(
        { from: bare(email.from), to: [bare(email.to)] },
        committingMessage(raw, () => {
          committing = true;
          return commit();
        }, hooks.onCommitted),
        done,
      ));
      const reused = take();
      if (reused) {
        try {
          await send(reused);
          void keep(reused);
          return;
        } catch (err) {
          discard(reused);
          if (committing) {
            throw err;
          }
        }
      }
      const connection = await open();
      try {
        await send(connection);
      } catch (err) {
        discard(connection);
        throw err;
      }
      void keep(connection); // the RSET's answer is not the e-mail's: not waited for
    },
    close: () => {
      for (let kept = take(); kept; kept = take()) {
        discard(kept, true);
      }
    },
  };
}

export function createTransport(smtpUrl: string | null): Transport {
  return smtpUrl ? smtpTransport(smtpUrl) : databaseTransport();
}
