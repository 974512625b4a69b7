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

/**
 * SMTP, one connection per e-mail, driven step by step (nodemailer's SMTPConnection, not
 * its mailer, which reads the message ahead while it is still connecting). `commit`
 * runs between the last byte of the message and the final "." that makes the server
 * accept it. Dying before the commit leaves the transaction unfinished: the server
 * drops it and the retry sends it again. Dying after it leaves a COMMITTING row, taken
 * as sent: lost only if the dot never reached the server (a few milliseconds).
 */
export function smtpTransport(url: string, hooks: { onCommitted?: (at: number) => void } = {}): Transport {
  const options = parseConnectionUrl(url) as SmtpOptions;
  return {
    name: 'smtp',
    async deliver(email, commit) {
      const raw = await compose(email);
      // Short enough that an attempt usually ends within its activity's 15 s (a late one
      // cannot commit anyway: the outbox fences on its attempt number).
      const connection = new SMTPConnection({ ...options, connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 8_000 });
      // A connection that fails or closes says so by an event, not through the step's callback.
      const broken = new Promise<never>((_resolve, reject) => {
        connection.once('error', reject);
        connection.once('end', () => reject(new Error('connexion SMTP fermée par le serveur')));
      });
      broken.catch(() => undefined);
      const step = <T>(fn: (done: (err: Error | null | undefined, value?: T) => void) => void) => Promise.race([call(fn), broken]);
      try {
        await step<void>((done) => connection.connect(() => done(null)));
        if (options.auth?.user) {
          await step((done) => connection.login(options.auth, done));
        }
        await step((done) => connection.send({ from: bare(email.from), to: [bare(email.to)] }, committingMessage(raw, commit, hooks.onCommitted), done));
        connection.quit();
      } finally {
        connection.close();
      }
    },
    close: () => undefined,
  };
}

export function createTransport(smtpUrl: string | null): Transport {
  return smtpUrl ? smtpTransport(smtpUrl) : databaseTransport();
}
