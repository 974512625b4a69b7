import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { claimAttempt, commitAttempt, emailForDelivery, markEmailFailed, setEmailStatus } from '../db/emails';
import { createTransport, type Transport } from './transport';

export interface DeliveryHooks {
  /** Called after the transport accepted the e-mail and before it is marked SENT (tests crash here). */
  afterSend?: (emailId: number) => void | Promise<void>;
}

/** Another attempt holds the e-mail (a retry, or another worker's outbox loop). */
export class AttemptTaken extends Error {}

export const UNCONFIRMED = 'envoi non confirmé : l’envoi a été interrompu juste avant ou juste après l’acceptation par le serveur';

/**
 * Sends a recorded e-mail: at least once, except in the window between the commit
 * (COMMITTING, just before the final ".") and the server's reply, where it is at most
 * once. A row left COMMITTING by a worker that died there is taken as sent, not sent
 * again, and marked unconfirmed. The Message-ID comes from the idempotency key, the same
 * on every attempt, so a receiver can tell a resent copy.
 */
export async function deliverEmail(
  db: Db,
  transport: Transport,
  from: string,
  emailId: number,
  hooks: DeliveryHooks = {},
  leaseUntil?: number,
): Promise<void> {
  const row = await emailForDelivery(db, emailId);
  if (!row) {
    // Retrying cannot make it appear: fail for good (the workflow records the failure and
    // goes on, so a lost draft never holds the closing e-mail and the purge behind it).
    throw ApplicationFailure.nonRetryable(`e-mail ${emailId} introuvable`, 'EMAIL_NOT_FOUND');
  }
  if (row.status === 'SENT') {
    return;
  }
  if (leaseUntil !== undefined && row.retry_at !== null && Number(row.retry_at) > Date.now()) {
    // The outbox's: another worker's attempt holds it (its lease not run out).
    throw new AttemptTaken(`e-mail ${emailId} : une autre tentative est en cours`);
  }
  if (row.status === 'COMMITTING') {
    // The worker died between the commit and the server's answer: sent if the final dot
    // left, lost if not (a window of milliseconds). Counted as sent, and said to be unconfirmed.
    await setEmailStatus(db, emailId, 'SENT', { sent_at: Date.now(), error: UNCONFIRMED });
    return;
  }
  if (row.to_address === null) {
    // Purged before it could go out: nothing left to send.
    await setEmailStatus(db, emailId, 'FAILED', { error: 'données supprimées avant envoi' });
    return;
  }
  const attempt = Number(row.attempts) + 1;
  if (!(await claimAttempt(db, emailId, attempt, leaseUntil))) {
    throw new AttemptTaken(`e-mail ${emailId} : une autre tentative est en cours`);
  }
  await transport.deliver(
    {
      messageId: `<${row.idempotency_key.replace(/[^A-Za-z0-9.:-]/g, '_')}@guichet>`,
      from,
      to: row.to_address,
      subject: row.subject,
      text: row.body_text,
      html: row.body_html,
    },
    async () => {
      if (!(await commitAttempt(db, emailId, attempt))) {
        // A newer attempt owns the row: abandon before the final dot, the server drops this copy.
        throw new Error(`e-mail ${emailId} : tentative ${attempt} dépassée par une plus récente`);
      }
    },
  );
  await hooks.afterSend?.(emailId);
  await setEmailStatus(db, emailId, 'SENT', { sent_at: Date.now() });
}

/**
 * Sends a recorded e-mail at once from outside any workflow (the web process: a message,
 * a citizen's reply, an account link), through its own transport: these are few. A
 * failure is not retried: the e-mail is marked FAILED, where the pages show it, and the
 * reason is returned (null when it went out).
 */
export async function sendNow(db: Db, config: Pick<Config, 'smtpUrl' | 'mailFrom'>, emailId: number): Promise<string | null> {
  const transport = createTransport(config.smtpUrl);
  try {
    await deliverEmail(db, transport, config.mailFrom, emailId);
    return null;
  } catch (err) {
    const reason = String((err as Error).message);
    await markEmailFailed(db, emailId, reason);
    return reason;
  } finally {
    transport.close();
  }
}
