// The state machine of a request: which action is allowed from which status, and
// which timer is due next. Pure functions, used by the workflow (and by the UI to
// decide which buttons to show), so the rules live in this one file.
import type { Delays, Status } from './definitions';

export type Action = 'take' | 'hold' | 'resume' | 'reassign' | 'annotate' | 'close';

/**
 * The events of the lifecycle itself, in the order a request meets them. Annotations
 * (NOTE… types an administrator lists) are the other events of a history: internal, so
 * never delivered to partners.
 */
export const LIFECYCLE_EVENTS = ['SUBMITTED', 'TAKEN', 'HELD', 'RESUMED', 'HOLD_ENDED', 'REASSIGNED', 'CLOSED', 'EXPIRED'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export const isLifecycleEvent = (type: string): type is LifecycleEvent => (LIFECYCLE_EVENTS as readonly string[]).includes(type);

export const ACTIONS: Record<Action, { from: readonly Status[]; to: Status | null }> = {
  take: { from: ['NON_TRAITEE'], to: 'EN_COURS' },
  hold: { from: ['EN_COURS'], to: 'EN_ATTENTE' },
  resume: { from: ['EN_ATTENTE'], to: 'EN_COURS' },
  reassign: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null },
  annotate: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null },
  close: { from: ['EN_COURS', 'EN_ATTENTE'], to: 'CLOTUREE' },
};

/** Why an action is refused; the web side turns the code into a French sentence. */
export interface Refusal {
  code: 'ALREADY_TAKEN' | 'ALREADY_CLOSED' | 'NOT_TAKEN' | 'ALREADY_ON_HOLD' | 'NOT_ON_HOLD' | 'SAME_ASSIGNEE';
  assigneeId: number | null;
}

export function refusalOf(
  action: Action,
  state: { status: Status; assigneeId: number | null },
  target?: { toAgentId?: number },
): Refusal | null {
  const { status, assigneeId } = state;
  if (status === 'CLOTUREE') {
    return { code: 'ALREADY_CLOSED', assigneeId };
  }
  if (action === 'reassign' && target?.toAgentId === assigneeId) {
    return { code: 'SAME_ASSIGNEE', assigneeId };
  }
  if (ACTIONS[action].from.includes(status)) {
    return null;
  }
  if (action === 'take') {
    return { code: 'ALREADY_TAKEN', assigneeId };
  }
  if (action === 'hold' && status === 'EN_ATTENTE') {
    return { code: 'ALREADY_ON_HOLD', assigneeId };
  }
  if (action === 'resume') {
    return { code: 'NOT_ON_HOLD', assigneeId };
  }
  return { code: 'NOT_TAKEN', assigneeId };
}

export function allowedActions(status: Status): Action[] {
  return (Object.keys(ACTIONS) as Action[]).filter((a) => ACTIONS[a].from.includes(status));
}

/** What the timers remember between firings. */
export interface TimerState {
  status: Status;
  submittedAt: number;
  delays: Delays;
  lastUnprocessedReminderAt: number | null;
  deletionWarningSent: boolean;
  inProgressSince: number | null;
  lastInProgressReminderAt: number | null;
  holdUntil: number | null;
}

export type TimerKind = 'UNPROCESSED_REMINDER' | 'DELETION_WARNING' | 'DELETION' | 'IN_PROGRESS_REMINDER' | 'HOLD_END';

export interface Deadline {
  kind: TimerKind;
  at: number;
}

/**
 * The next timer to fire, computed afresh from absolute anchors each time, so that a
 * changed delay applies at once to a running request (an overdue one fires now).
 */
export function nextDeadline(s: TimerState): Deadline | null {
  const d = s.delays;
  if (s.status === 'NON_TRAITEE') {
    const deletionAt = s.submittedAt + d.deletionMs;
    const candidates: Deadline[] = [{ kind: 'DELETION', at: deletionAt }];
    const warningAt = deletionAt - d.deletionWarningMs;
    if (!s.deletionWarningSent && d.deletionWarningMs > 0 && warningAt > s.submittedAt) {
      candidates.push({ kind: 'DELETION_WARNING', at: Math.min(warningAt, deletionAt) });
    }
    const reminderAt = s.lastUnprocessedReminderAt === null
      ? s.submittedAt + d.unprocessedReminderMs
      : s.lastUnprocessedReminderAt + d.reminderEveryMs;
    if (reminderAt < deletionAt) {
      candidates.push({ kind: 'UNPROCESSED_REMINDER', at: reminderAt });
    }
    // Earliest first; on a tie the deletion wins, then the warning.
    return candidates.reduce((a, b) => (b.at < a.at ? b : a));
  }
  if (s.status === 'EN_COURS' && s.inProgressSince !== null) {
    const anchor = s.lastInProgressReminderAt ?? s.inProgressSince;
    return { kind: 'IN_PROGRESS_REMINDER', at: anchor + d.inProgressReminderMs };
  }
  if (s.status === 'EN_ATTENTE' && s.holdUntil !== null) {
    return { kind: 'HOLD_END', at: s.holdUntil };
  }
  return null;
}
