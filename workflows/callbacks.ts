// The callbacks a request's workflow waits for: pure functions beside nextDeadline
// (./lifecycle.ts), so that the loop of ./request.ts stays one wait for the earliest.
// The workflow knows a callback by its id and its time only: the number to call and who
// planned it are in the database (table callbacks), purged with the request.

/** A callback the workflow will fire at its time. */
export interface PlannedCallback {
  id: number;
  dueAt: number;
}

export interface CallbackDeadline {
  kind: 'CALLBACK';
  at: number;
  callbackId: number;
}

/** The events of callbacks and calls in a request's history (internal: not delivered to partners). */
export const CALLBACK_EVENTS = ['CALLBACK_PLANNED', 'CALLBACK_MOVED', 'CALLBACK_CANCELLED', 'CALLBACK_DUE', 'CALL_LOGGED'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** The wrap-up code after which Guichet offers to plan a callback at once. */
export const NO_ANSWER = 'PAS_DE_REPONSE';

/** The first callback due (on a tie, the one planned first). */
export function nextCallbackDeadline(callbacks: readonly PlannedCallback[]): CallbackDeadline | null {
  let next: PlannedCallback | null = null;
  for (const c of callbacks) {
    if (next === null || c.dueAt < next.dueAt) {
      next = c;
    }
  }
  return next === null ? null : { kind: 'CALLBACK', at: next.dueAt, callbackId: next.id };
}

/** The earlier of two deadlines; on a tie the first (the lifecycle's timers before callbacks). */
export function earliest<A extends { at: number }, B extends { at: number }>(a: A | null, b: B | null): A | B | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.at < a.at ? b : a;
}

/** Whether two deadlines are the same timer: same kind, same time (and same callback). */
export function sameDeadline(a: { kind: string; at: number; callbackId?: number } | null, b: { kind: string; at: number; callbackId?: number } | null): boolean {
  return a === b || (a !== null && b !== null && a.kind === b.kind && a.at === b.at && a.callbackId === b.callbackId);
}

/** The callbacks with this one planned (or moved) at `dueAt`. */
export function withCallback(callbacks: readonly PlannedCallback[], id: number, dueAt: number): PlannedCallback[] {
  return [...callbacks.filter((c) => c.id !== id), { id, dueAt }];
}

/** The callbacks without this one (cancelled, or fired). */
export function withoutCallback(callbacks: readonly PlannedCallback[], id: number): PlannedCallback[] {
  return callbacks.filter((c) => c.id !== id);
}

/** After this long past its time, a callback not done is « en retard ». */
export const CALLBACK_GRACE_MS = 15 * 60 * 1000;

/** Whether a callback is overdue: planned or due, and its time plus the grace passed. */
export function isOverdue(c: { status: string; due_at: number | string }, now: number): boolean {
  return (c.status === 'PLANNED' || c.status === 'DUE') && Number(c.due_at) + CALLBACK_GRACE_MS < now;
}
