import type { Db } from './connection';

/** What an e-mail is for: the template it is rendered from. */
export type EmailKind =
  | 'RECEIPT'
  | 'NEW_REQUEST'
  // Several new requests in one batch, to one agent (a single one gets NEW_REQUEST).
  | 'NEW_REQUESTS'
  | 'ACKNOWLEDGEMENT'
  | 'CLOSING'
  | 'REMINDER_UNPROCESSED'
  | 'DELETION_WARNING'
  | 'DELETION_NOTICE'
  | 'REMINDER_IN_PROGRESS'
  | 'HOLD_ENDED'
  | 'REASSIGNED'
  // An absent assignee's reminder, to their colleagues.
  | 'REMINDER_ABSENT'
  // Consulting an expert group: the experts' reminder, the answer to the agent who asked.
  | 'CONSULTATION_REMINDER'
  | 'CONSULTATION_ANSWERED'
  // A planned callback's hour, to the agent who planned it or to their group.
  | 'CALLBACK_DUE'
  // Sent to agents outside any request: account links and the daily digest of new requests.
  | 'ACTIVATION'
  | 'PASSWORD_RESET'
  | 'DIGEST'
  // Messages on a request: an agent's message to the citizen, the citizen's answer to the assignee.
  | 'MESSAGE'
  | 'CITIZEN_REPLY'
  // A split (« Scinder »), to the citizen: the two new references and tracking codes.
  | 'SPLIT'
  // Requests merged into one: the new reference and tracking code, to the citizen.
  | 'MERGED';

/** The kinds of a request's e-mails that go to the citizen; the others inform its agents. */
export const CITIZEN_EMAIL_KINDS: ReadonlySet<EmailKind> = new Set<EmailKind>(['RECEIPT', 'ACKNOWLEDGEMENT', 'CLOSING', 'MESSAGE', 'SPLIT', 'MERGED']);

export type EmailStatus = 'PENDING' | 'COMMITTING' | 'SENT' | 'FAILED';

export interface EmailDraft {
  key: string;
  requestId: number | null;
  kind: EmailKind;
  agentId: number | null;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

export interface EmailView {
  id: number;
  kind: EmailKind;
  status: EmailStatus;
  created_at: number;
  sent_at: number | null;
  to_address: string | null;
  subject: string | null;
  body_text: string | null;
  reference: string | null;
  agent_name: string | null;
}

/** The e-mail recorded under this key, if any. */
export async function emailIdByKey(db: Db, key: string): Promise<number | undefined> {
  return (await db('emails').where({ idempotency_key: key }).first('id'))?.id;
}

/** A draft's row, pending: what it is (`emails`)… */
const emailRow = (draft: EmailDraft, at: number) => ({
  idempotency_key: draft.key, request_id: draft.requestId, kind: draft.kind, agent_id: draft.agentId, status: 'PENDING', created_at: at,
});

/** …and what it says (`email_contents`, deleted with the request's personal data). */
const contentRow = (draft: EmailDraft, emailId: number) => ({
  email_id: emailId, request_id: draft.requestId, to_address: draft.to, subject: draft.subject, body_text: draft.text, body_html: draft.html,
});

/** Records an e-mail before it is sent; the same key gives back the same row. */
export async function recordEmail(db: Db, draft: EmailDraft): Promise<number> {
  return (await emailIdByKey(db, draft.key)) ?? insertEmail(db, draft);
}

/** Records an e-mail whose key the caller has just found unrecorded; a race on the key returns the winner's row. */
export async function insertEmail(db: Db, draft: EmailDraft): Promise<number> {
  try {
    return await db.transaction(async (trx) => {
      const [id] = await trx('emails').insert(emailRow(draft, Date.now()));
      await trx('email_contents').insert(contentRow(draft, id));
      return id;
    });
  } catch (err) {
    // Two attempts raced on the same key: the other one's row stands.
    const raced = await emailIdByKey(db, draft.key);
    if (raced !== undefined) {
      return raced;
    }
    throw err;
  }
}

/**
 * Records e-mails for the reminders' outbox (src/reminders/sweeper.ts), in the caller's
 * transaction: due to be sent at `at` (`retry_at`). A key already recorded keeps its row.
 */
export async function recordOutboxEmails(trx: Db, drafts: EmailDraft[], at: number): Promise<void> {
  if (drafts.length === 0) {
    return;
  }
  const known = new Set((await trx('emails').whereIn('idempotency_key', drafts.map((d) => d.key)).select('idempotency_key')).map((r: { idempotency_key: string }) => r.idempotency_key));
  const fresh = drafts.filter((d) => !known.has(d.key));
  if (fresh.length === 0) {
    return;
  }
  await trx('emails').insert(fresh.map((d) => ({ ...emailRow(d, at), retry_at: at })));
  const ids = new Map((await trx('emails').whereIn('idempotency_key', fresh.map((d) => d.key)).select('id', 'idempotency_key'))
    .map((r: { id: number; idempotency_key: string }) => [r.idempotency_key, Number(r.id)]));
  await trx('email_contents').insert(fresh.map((d) => contentRow(d, ids.get(d.key)!)));
}

/** The outbox's e-mails due at `now` (or whose attempt's lease ran out), earliest first. */
export async function outboxDue(db: Db, now: number, limit: number): Promise<number[]> {
  const rows = await db('emails').where('retry_at', '<=', now).orderBy('retry_at').limit(limit).select('id');
  return rows.map((r: { id: number }) => Number(r.id));
}

/** An outbox e-mail whose attempt failed: tried again at `at`, unless it moved on meanwhile. */
export async function retryEmailAt(db: Db, id: number, at: number): Promise<void> {
  await db('emails').where({ id, status: 'PENDING' }).whereNotNull('retry_at').update({ retry_at: at });
}

/** The delivery attempts an e-mail has had. */
export async function attemptsOf(db: Db, id: number): Promise<number> {
  return Number((await db('emails').where({ id }).first('attempts'))?.attempts ?? 0);
}

export async function deleteDraft(db: Db, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('email_contents').where({ email_id: id }).delete();
    await trx('emails').where({ id, status: 'PENDING' }).delete();
  });
}

export async function emailForDelivery(db: Db, id: number) {
  return db('emails as e')
    .leftJoin('email_contents as c', 'c.email_id', 'e.id')
    .where('e.id', id)
    .first('e.id', 'e.idempotency_key', 'e.status', 'e.attempts', 'e.retry_at', 'c.to_address', 'c.subject', 'c.body_text', 'c.body_html');
}

/**
 * Starts delivery attempt number `attempt` (the row's attempts + 1); false when another
 * attempt started since the row was read. An outbox e-mail's attempt holds it until `leaseUntil`.
 */
export async function claimAttempt(db: Db, id: number, attempt: number, leaseUntil?: number): Promise<boolean> {
  const lease = leaseUntil === undefined ? {} : { retry_at: leaseUntil };
  return (await db('emails').where({ id, status: 'PENDING', attempts: attempt - 1 }).update({ attempts: attempt, ...lease })) === 1;
}

/**
 * COMMITTING, for the attempt that still owns the row: an attempt that outlived its
 * activity's timeout while a newer one started gets false and must not finish sending.
 */
export async function commitAttempt(db: Db, id: number, attempt: number): Promise<boolean> {
  return (await db('emails').where({ id, status: 'PENDING', attempts: attempt }).update({ status: 'COMMITTING' })) === 1;
}

/** Sent or failed, an e-mail leaves the outbox (retry_at null). */
const settled = (status: EmailStatus) => (status === 'SENT' || status === 'FAILED' ? { retry_at: null } : {});

export async function setEmailStatus(db: Db, id: number, status: EmailStatus, extra: Record<string, unknown> = {}): Promise<void> {
  await db('emails').where({ id }).update({ status, ...settled(status), ...extra });
}

/** A delivery given up: FAILED with its reason, unless it went out meanwhile; false when no row changed. */
export async function markEmailFailed(db: Db, id: number, error: string): Promise<boolean> {
  return (await db('emails').where({ id }).whereNot('status', 'SENT').update({ status: 'FAILED', ...settled('FAILED'), error: error.slice(0, 500) })) > 0;
}

function emailQuery(db: Db) {
  return db('emails as e')
    .leftJoin('email_contents as c', 'c.email_id', 'e.id')
    .leftJoin('requests as r', 'r.id', 'e.request_id')
    .leftJoin('agents as a', 'a.id', 'e.agent_id')
    .select('e.id', 'e.kind', 'e.status', 'e.created_at', 'e.sent_at', 'c.to_address', 'c.subject', 'c.body_text', 'r.reference', 'a.name as agent_name');
}

export async function emailsOfRequest(db: Db, requestId: number): Promise<EmailView[]> {
  return emailQuery(db).where('e.request_id', requestId).orderBy('e.id');
}

export async function latestEmails(db: Db, limit: number): Promise<EmailView[]> {
  return emailQuery(db).orderBy('e.id', 'desc').limit(limit);
}
