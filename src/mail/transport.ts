import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

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
 * SMTP: the message is streamed and `commit` runs after its last byte but before the
 * final "." that makes the server accept it. Dying before the commit leaves the
 * transaction unfinished, so the server drops it and the retry sends it again;
 * dying after it leaves a COMMITTING row, which the retry takes as sent.
 */
export function smtpTransport(url: string): Transport {
  const transporter = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async deliver(email, commit) {
      const raw = await compose(email);
      const stream = Readable.from(
        (async function* () {
          yield raw;
          await commit();
        })(),
      );
      await transporter.sendMail({
        envelope: { from: email.from, to: [email.to] },
        raw: stream,
      });
    },
    close: () => transporter.close(),
  };
}

export function createTransport(smtpUrl: string | null): Transport {
  return smtpUrl ? smtpTransport(smtpUrl) : databaseTransport();
}
