// The activities' contract, imported as types by the workflows (which must not load
// any Node module) and registered by name in ./index.ts.
import type { Status } from '../../workflows/definitions';
import type { EmailKind } from '../db/emails';
import type { TransitionRecord } from '../db/transitions';

/**
 * Given by a workflow timer to the activity it fires: which timer, and when it was due
 * (epoch ms). The activity observes how late it runs (guichet_timer_lateness_seconds).
 */
export interface TimerFired {
  kind: string;
  dueAt: number;
}

export interface Activities {
  recordTransition(t: TransitionRecord & { timer?: TimerFired }): Promise<void>;
  /**
   * The citizen's receipt (if they gave an address) and the information e-mail to the
   * agents; 'withdrawn' when the request's rows are gone (its filing was undone).
   */
  announceSubmission(a: { requestId: number; key: string; announce?: false }): Promise<'announced' | 'withdrawn'>;
  /** To the members of the request's group, or of `groupId` (a consulted group). */
  notifyAgents(a: { requestId: number; kind: EmailKind; key: string; onlyIfStatus?: Status; groupId?: number; timer?: TimerFired }): Promise<void>;
  notifyAgent(a: { requestId: number; kind: EmailKind; key: string; agentId: number; onlyIfStatus?: Status; timer?: TimerFired }): Promise<void>;
  sendEmail(a: { emailId: number }): Promise<void>;
  markEmailFailed(a: { emailId: number; error: string }): Promise<void>;
  /**
   * A callback's hour: marks it due and says who is to call: the agent who planned it
   * (they asked for it back, are available and still in the group), the group, or nobody
   * (it was cancelled or moved meanwhile).
   */
  callbackDue(a: { requestId: number; callbackId: number; at: number; timer?: TimerFired }): Promise<{ to: 'agent'; agentId: number } | { to: 'group' } | { to: 'none' }>;
  purgePersonalData(a: { requestId: number; at: number }): Promise<void>;
  /** The closing notice, then the purge: at the end of a request, the two always run one after the other. */
  sendThenPurge(a: { emailId: number; requestId: number; at: number }): Promise<void>;
  /**
   * A batch of information e-mails (workflows/announcer.ts): claims the new requests waiting
   * for one, sends each agent one e-mail listing theirs; the milliseconds until the next batch.
   */
  announceNewRequests(a: { batch: number }): Promise<number>;
  /** The daily digest workflow: how long to sleep until the configured hour, then send. */
  msUntilDigest(): Promise<number>;
  sendDigests(a: { at: number }): Promise<number>;
}

/** The items of a bulk action (src/activities/bulk.ts, run by workflows/bulk.ts). */
export interface BulkActivities {
  /** The next `limit` requests of the job still to do, in the order of the list. */
  bulkPendingItems(a: { jobId: number; limit: number }): Promise<number[]>;
  applyBulkItem(a: { jobId: number; requestId: number }): Promise<void>;
  finishBulk(a: { jobId: number }): Promise<void>;
}

/** Webhook deliveries to partners (src/activities/webhooks.ts, run by workflows/webhook.ts). */
export interface WebhookActivities {
  /** One POST attempt; throws on a failure or a non-2xx answer so that Temporal retries it. */
  deliverWebhook(a: { deliveryId: number; timeoutMs: number }): Promise<void>;
  markWebhookFailed(a: { deliveryId: number; error: string }): Promise<void>;
}

/** A split's steps (src/activities/split.ts, run by workflows/split.ts); each may run again after a crash. */
export interface SplitActivities {
  /**
   * Writes the two new requests (copies of the original's thread, each with its message) and
   * the original's message, then closes the original through its workflow's Update: the
   * parts' references; or, refused (the original closed meanwhile), withdraws all it wrote
   * and says why.
   */
  splitOriginal(a: { splitId: number }): Promise<{ parts: string[] } | { refused: string }>;
  /** Starts the workflows of both parts, assigns them to the agent who split; the split is DONE. */
  startSplitParts(a: { splitId: number }): Promise<void>;
  /** Records the citizen's e-mail naming both parts; null when they gave no address. */
  prepareSplitEmail(a: { splitId: number }): Promise<number | null>;
}

/** A merge's steps (src/activities/merge.ts, run by workflows/merge.ts): each idempotent. */
export interface MergeActivities {
  /** The new request written with the sources' threads (or the refusal, nothing written), and the sources. */
  prepareMerge(a: { mergeId: number }): Promise<{ sources: { requestId: number; reference: string }[]; reference: string } & ({ newRequestId: number } | { refused: string })>;
  /** A source closed as a duplicate through its workflow; 'refused' when it was closed meanwhile. */
  closeMergeSource(a: { mergeId: number; requestId: number; agentId: number }): Promise<'closed' | 'refused'>;
  /** A source given back its status and assignee (an undo, or a merge taken back). */
  reopenMergeSource(a: { mergeId: number; requestId: number; agentId: number }): Promise<void>;
  /** The new request's rows removed: a source refused before its workflow started. */
  discardMerge(a: { mergeId: number }): Promise<void>;
  startMergedRequest(a: { mergeId: number }): Promise<void>;
  /** The citizen's e-mail recorded (once, by key): its id, null when they gave no address. */
  prepareMergeEmail(a: { mergeId: number }): Promise<number | null>;
  finishMerge(a: { mergeId: number; status: 'DONE' | 'FINAL' | 'FAILED' | 'UNDONE'; refusal?: string }): Promise<void>;
  /** The new request withdrawn through its workflow; 'touched' when an action or a message came first. */
  withdrawMergedRequest(a: { mergeId: number; agentId: number }): Promise<'withdrawn' | 'touched'>;
}
