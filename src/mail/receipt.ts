// The citizen's receipt of a new request. The web process sends it as soon as the filing is
// accepted, so that at intake peaks the receipt does not wait behind the Temporal server's
// queue; the workflow's arrival step (announceSubmission) stays its guarantee and sends it
// when the web could not (process gone, SMTP down). Both record it under the same key, and
// the outbox fences every attempt (src/mail/outbox.ts): it never goes out twice.
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { emailForDelivery, emailIdByKey, insertEmail } from '../db/emails';
import { findPersonal, findRequestById, type RequestRow } from '../db/requests';
import { logger } from '../ops/logger';
import { emailContext, personalKey } from './context';
import { batchMemo } from './memo';
import { deliverEmail } from './outbox';
import { renderEmailFor } from './templates';
import type { Transport } from './transport';

const receiptKey = (reference: string): string => `${reference}:RECEIPT`;

/**
 * Rendered and recorded once; null when the citizen gave no e-mail address. Once the web
 * has recorded it, the workflow's step finds it by its key without rendering it again.
 */
export async function recordReceipt(db: Db, publicUrl: string, request: RequestRow): Promise<number | null> {
  const recorded = await emailIdByKey(db, receiptKey(request.reference));
  if (recorded !== undefined) {
    return recorded;
  }
  // Read once, for the address and for the template.
  const memo = batchMemo();
  const personal = await memo(personalKey(request.id), () => findPersonal(db, request.id));
  if (!personal?.email) {
    return null;
  }
  const rendered = await renderEmailFor(db, 'RECEIPT', await emailContext(db, request, publicUrl, null, memo));
  return insertEmail(db, { key: receiptKey(request.reference), requestId: request.id, kind: 'RECEIPT', agentId: null, to: personal.email, ...rendered });
}

/**
 * The web's attempt, once the workflow has started: never fails the filing (its failure is
 * logged, and the workflow's step sends the receipt). True when it is done: handed to SMTP,
 * or nothing to send.
 */
export async function sendReceiptAtOnce(db: Db, transport: Transport, config: Pick<Config, 'publicUrl' | 'mailFrom'>, requestId: number): Promise<boolean> {
  try {
    const request = await findRequestById(db, requestId);
    const emailId = request && (await recordReceipt(db, config.publicUrl, request));
    if (emailId) {
      await deliverEmail(db, transport, config.mailFrom, emailId);
    }
    return true;
  } catch (err) {
    logger.warn({ err, requestId }, 'receipt: left to the workflow');
    return false;
  }
}

/**
 * The workflow's step lets an attempt under way (the web's, normally milliseconds) finish
 * before it starts one of its own, which would overtake it and send it again in its place.
 */
export async function settledOrAbandoned(db: Db, emailId: number, waitMs = 5_000): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    const row = await emailForDelivery(db, emailId);
    const underWay = row && ((row.status === 'PENDING' && Number(row.attempts) > 0) || row.status === 'COMMITTING');
    if (!underWay || Date.now() >= until) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
