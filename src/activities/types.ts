// The activities' contract, imported as types by the workflow (which must not load
// any Node module) and implemented in ./index.ts.
import type { Status } from '../../workflows/definitions';

export type EmailKind =
  | 'RECEIPT'
  | 'NEW_REQUEST'
  | 'ACKNOWLEDGEMENT'
  | 'CLOSING'
  | 'REMINDER_UNPROCESSED'
  | 'DELETION_WARNING'
  | 'DELETION_NOTICE'
  | 'REMINDER_IN_PROGRESS'
  | 'HOLD_ENDED'
  | 'REASSIGNED'
  // Sent to agents outside any request: account links and the daily digest of new requests.
  | 'ACTIVATION'
  | 'PASSWORD_RESET'
  | 'DIGEST'
  // Messages on a request: an agent's message to the citizen, the citizen's answer to the assignee.
  | 'MESSAGE'
  | 'CITIZEN_REPLY';

export interface Projection {
  status: Status;
  assigneeId: number | null;
  closingCode: string | null;
  holdUntil: number | null;
  takenAt: number;
  closedAt: number;
}

export interface TransitionRecord {
  requestId: number;
  seq: number;
  at: number;
  eventType: string;
  agentId: number | null;
  commentId: number | null;
  /** The citizen e-mail a take or a close carries (its other drafts are then void). */
  emailId?: number | null;
  projection: Partial<Projection>;
}

export interface Activities {
  recordTransition(t: TransitionRecord): Promise<void>;
  /**
   * The citizen's receipt (if they gave an address) and the information e-mail to the
   * agents; 'withdrawn' when the request's rows are gone (its filing was undone).
   */
  announceSubmission(a: { requestId: number; key: string }): Promise<'announced' | 'withdrawn'>;
  notifyAgents(a: { requestId: number; kind: EmailKind; key: string; onlyIfStatus?: Status }): Promise<void>;
  notifyAgent(a: { requestId: number; kind: EmailKind; key: string; agentId: number; onlyIfStatus?: Status }): Promise<void>;
  sendEmail(a: { emailId: number }): Promise<void>;
  markEmailFailed(a: { emailId: number; error: string }): Promise<void>;
  purgePersonalData(a: { requestId: number; at: number }): Promise<void>;
  /** The daily digest workflow: how long to sleep until the configured hour, then send. */
  msUntilDigest(): Promise<number>;
  sendDigests(a: { at: number }): Promise<number>;
}

/** Webhook deliveries to partners (src/activities/webhooks.ts, run by workflows/webhook.ts). */
export interface WebhookActivities {
  /** One POST attempt; throws on a failure or a non-2xx answer so that Temporal retries it. */
  deliverWebhook(a: { deliveryId: number; timeoutMs: number }): Promise<void>;
  markWebhookFailed(a: { deliveryId: number; error: string }): Promise<void>;
}
