// The state machine of a request: which action is allowed from which status, and
// which timer is due next. Pure functions, used by the workflow (and by the UI to
// decide which buttons to show), so the rules live in this one file.
import type { Delays, PriorityRank, Status } from './definitions';
import { consultationReminderAt, type PendingConsultation } from './consultation';

export type Action = 'take' | 'hold' | 'resume' | 'reassign' | 'annotate' | 'prioritize' | 'transfer' | 'consult' | 'callback' | 'logCall' | 'close' | 'assign' | 'release';

/**
 * The events of the lifecycle itself, in the order a request meets them. Annotations
 * (NOTE… types an administrator lists) are the other events of a history: internal, so
 * never delivered to partners.
 */
export const LIFECYCLE_EVENTS = ['SUBMITTED', 'TAKEN', 'HELD', 'RESUMED', 'HOLD_ENDED', 'REASSIGNED', 'CLOSED', 'EXPIRED'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** A change of priority: internal like an annotation (not delivered to partners), its event says from what to what. */
export const PRIORITY_CHANGED = 'PRIORITY_CHANGED';

/** A move to another group's queue (« Assigner à un autre groupe »): internal too; its event says from which group to which, and why. */
export const TRANSFERRED = 'TRANSFERRED';
/** An expert group's answer to a consultation: an internal note (not delivered to partners), its comment the answer. */
export const CONSULTATION_ANSWERED = 'CONSULTATION_ANSWERED';
/**
 * The agents' own hand-overs, internal like a change of priority: an agent assigned an
 * unassigned request that was already under way (a NON_TRAITEE one is TAKEN), or released
 * it back to its group's queue.
 */
export const ASSIGNED = 'ASSIGNED';
export const RELEASED = 'RELEASED';

export const isLifecycleEvent = (type: string): type is LifecycleEvent => (LIFECYCLE_EVENTS as readonly string[]).includes(type);

/** One move of the state machine: the statuses it starts from, where it leads (null: the status stays) and the event it writes. */
export interface Step {
  from: readonly Status[];
  to: Status | null;
  /** null for an annotation: its type is the one the agent chose. */
  event: LifecycleEvent | null;
}

export const ACTIONS: Record<Action, Step> = {
  take: { from: ['NON_TRAITEE'], to: 'EN_COURS', event: 'TAKEN' },
  hold: { from: ['EN_COURS'], to: 'EN_ATTENTE', event: 'HELD' },
  resume: { from: ['EN_ATTENTE'], to: 'EN_COURS', event: 'RESUMED' },
  reassign: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: 'REASSIGNED' },
  annotate: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
  prioritize: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
  // The status stays: the new group's agents find it as it was, but nobody holds it.
  transfer: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
  // Asking an expert group's opinion: a hold whose reason says of whom (« avis demandé à … »).
  consult: { from: ['EN_COURS'], to: 'EN_ATTENTE', event: 'HELD' },
  // Planning, moving or cancelling a callback (workflows/callbacks.ts); recording a call.
  callback: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
  logCall: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
  close: { from: ['EN_COURS', 'EN_ATTENTE'], to: 'CLOTUREE', event: 'CLOSED' },
  // S'assigner: a NON_TRAITEE request is taken (the take step); an open one keeps its status.
  assign: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
  // Libérer: back to the group's queue, unassigned, the status kept.
  release: { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: null, event: null },
};

/** The moves the timers make, not an agent. */
export const TIMED_STEPS = {
  expire: { from: ['NON_TRAITEE'], to: 'CLOTUREE', event: 'EXPIRED' },
  holdEnd: { from: ['EN_ATTENTE'], to: 'EN_COURS', event: 'HOLD_ENDED' },
} as const satisfies Record<string, Step>;

/** How a consultation ends the wait: the experts' answer, or its withdrawal; the request resumes either way. */
export const CONSULTATION_STEPS = {
  answer: { from: ['EN_ATTENTE'], to: 'EN_COURS', event: 'RESUMED' },
  withdraw: { from: ['EN_ATTENTE'], to: 'EN_COURS', event: 'RESUMED' },
} as const satisfies Record<string, Step>;

/**
 * Splitting (« Scinder », workflows/split.ts): once its two new requests hold a copy of its
 * thread, the original is closed from any open status, with the closing code SCINDEE set
 * by the split only (as EXPIRED is by the timer). Partners see a close.
 */
export const SPLIT_STEP = { from: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'], to: 'CLOTUREE', event: 'CLOSED' } as const satisfies Step;
export const SPLIT_CLOSING_CODE = 'SCINDEE';

/** The fields of a request's state a move may change. */
export interface Change {
  status?: Status;
  assigneeId?: number | null;
  closingCode?: string | null;
  holdUntil?: number | null;
  waitingForCitizen?: boolean;
  priority?: PriorityRank;
  groupId?: number;
}

/** What each action sets besides the status, from its arguments (an Update's, or a bulk job's). */
const SETS = {
  take: (a: { agentId: number }): Change => ({ assigneeId: a.agentId }),
  hold: (a: { until: number | null; waitingForCitizen?: boolean }): Change => ({ holdUntil: a.until, waitingForCitizen: a.waitingForCitizen === true }),
  resume: (_args: object): Change => ({}),
  reassign: (a: { toAgentId: number }): Change => ({ assigneeId: a.toAgentId }),
  annotate: (_args: object): Change => ({}),
  prioritize: (a: { to: PriorityRank }): Change => ({ priority: a.to }),
  transfer: (a: { toGroupId: number }): Change => ({ groupId: a.toGroupId, assigneeId: null }),
  // No date ends a consultation's wait, only the answer (or its withdrawal).
  consult: (_args: object): Change => ({ holdUntil: null, waitingForCitizen: false }),
  callback: (_args: object): Change => ({}),
  logCall: (_args: object): Change => ({}),
  close: (a: { closingCode: string }): Change => ({ closingCode: a.closingCode }),
  assign: (a: { agentId: number }): Change => ({ assigneeId: a.agentId }),
  release: (_args: object): Change => ({ assigneeId: null }),
};
export type ArgsOf<A extends Action> = Parameters<(typeof SETS)[A]>[0];

/**
 * The change a step makes: its target status, and the fields given. A hold's date and
 * its waiting for the citizen last as long as the hold: any other status ends them.
 */
export function changeOfStep(step: Step, fields: Change = {}): Change {
  if (step.to === null) {
    return fields;
  }
  const endOfHold: Change = step.to === 'EN_ATTENTE' ? {} : { holdUntil: null, waitingForCitizen: false };
  return { status: step.to, ...endOfHold, ...fields };
}

/** The change an agent's action makes to the request's state. */
export function changeOf<A extends Action>(action: A, args: ArgsOf<A>): Change {
  return changeOfStep(ACTIONS[action], (SETS[action] as (a: ArgsOf<A>) => Change)(args));
}

export type BulkAction = 'take' | 'close' | 'reassign';

/**
 * Whether a request shows what an action left behind: it has moved on from the statuses
 * the action starts from (when the action changes the status), and holds the fields the
 * action set. A retried bulk item tells so its own earlier success from a refusal.
 */
export function showsOutcome<A extends BulkAction>(action: A, args: ArgsOf<A>, state: Required<Pick<Change, 'status' | 'assigneeId' | 'closingCode'>>): boolean {
  const { from, to } = ACTIONS[action];
  if (to !== null && from.includes(state.status)) {
    return false;
  }
  const set = (SETS[action] as (a: ArgsOf<A>) => Change)(args);
  return Object.entries(set).every(([field, value]) => state[field as keyof typeof state] === value);
}

/** Writing on a request is no move of the state machine: an agent's message (or note), a citizen's reply. */
export type Exchange = 'message' | 'reply';

/** The citizen's reply brings back a request put on hold waiting for it. */
export function replyResumes(state: { status: Status; waitingForCitizen?: boolean }): boolean {
  return state.status === 'EN_ATTENTE' && state.waitingForCitizen === true;
}

/** Why an action is refused; the web side turns the code into a French sentence. */
export interface Refusal {
  code:
    | 'ALREADY_TAKEN' | 'ALREADY_CLOSED' | 'NOT_TAKEN' | 'ALREADY_ON_HOLD' | 'NOT_ON_HOLD' | 'SAME_ASSIGNEE'
    | 'REQUEST_CLOSED_FOR_REPLY' | 'SAME_PRIORITY' | 'SAME_GROUP' | 'MOVED_TO_OTHER_GROUP'
    | 'CONSULTATION_ANSWERED' | 'CONSULTATION_WITHDRAWN' | 'CONSULTATION_UNKNOWN' | 'ALREADY_ASSIGNED' | 'NOT_ASSIGNED';
  assigneeId: number | null;
}

export function refusalOf(
  action: Action | Exchange,
  state: { status: Status; assigneeId: number | null },
  target?: { toAgentId?: number; priority?: { from: PriorityRank; to: PriorityRank }; group?: GroupMove },
): Refusal | null {
  const { status, assigneeId } = state;
  if (status === 'CLOTUREE') {
    return { code: action === 'reply' ? 'REQUEST_CLOSED_FOR_REPLY' : 'ALREADY_CLOSED', assigneeId };
  }
  if (action === 'message' || action === 'reply') {
    return null; // one may write on any open request
  }
  if (action === 'reassign' && target?.toAgentId === assigneeId) {
    return { code: 'SAME_ASSIGNEE', assigneeId };
  }
  if (action === 'prioritize' && target?.priority && target.priority.from === target.priority.to) {
    return { code: 'SAME_PRIORITY', assigneeId };
  }
  if (action === 'transfer' && target?.group) {
    const refusal = groupMoveRefusal(target.group);
    if (refusal) {
      return { code: refusal, assigneeId };
    }
  }
  // Only an unassigned request may be self-assigned, only an assigned one released.
  if (action === 'assign' && assigneeId !== null) {
    return { code: 'ALREADY_ASSIGNED', assigneeId };
  }
  if (action === 'release' && assigneeId === null) {
    return { code: 'NOT_ASSIGNED', assigneeId };
  }
  if (ACTIONS[action].from.includes(status)) {
    return null;
  }
  if (action === 'take') {
    return { code: 'ALREADY_TAKEN', assigneeId };
  }
  if ((action === 'hold' || action === 'consult') && status === 'EN_ATTENTE') {
    return { code: 'ALREADY_ON_HOLD', assigneeId };
  }
  if (action === 'resume') {
    return { code: 'NOT_ON_HOLD', assigneeId };
  }
  return { code: 'NOT_TAKEN', assigneeId };
}

/** A transfer as the agent asked it (from the group they saw) and where the request is now. */
export interface GroupMove {
  seen: number;
  current: number;
  to: number;
}

/** A transfer from a group the request has already left is stale; to the group it is in, pointless. */
function groupMoveRefusal(move: GroupMove): Refusal['code'] | null {
  if (move.to === move.current) {
    return 'SAME_GROUP';
  }
  return move.seen === move.current ? null : 'MOVED_TO_OTHER_GROUP';
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
  /** the consultation the request waits for (absent before consultations) */
  consultation?: PendingConsultation | null;
}

export type TimerKind = 'UNPROCESSED_REMINDER' | 'DELETION_WARNING' | 'DELETION' | 'IN_PROGRESS_REMINDER' | 'HOLD_END' | 'CONSULTATION_REMINDER';

export interface Deadline {
  kind: TimerKind;
  at: number;
}

/**
 * The next timer to fire, computed afresh from absolute anchors each time, so that a
 * changed delay applies at once to a running request (an overdue one fires now). The
 * reminders of a request whose workflow leaves them to the sweep are not its timers
 * (src/db/deadlines.ts computes them, with the same rules).
 */
export function nextDeadline(s: TimerState, opts: { swept?: boolean } = {}): Deadline | null {
  const d = s.delays;
  // Swept: the reminders of these two statuses are sent by the sweep, from the request's row.
  const swept = opts.swept === true;
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
    if (!swept && reminderAt < deletionAt) {
      candidates.push({ kind: 'UNPROCESSED_REMINDER', at: reminderAt });
    }
    // Earliest first; on a tie the deletion wins, then the warning.
    return candidates.reduce((a, b) => (b.at < a.at ? b : a));
  }
  if (s.status === 'EN_COURS' && s.inProgressSince !== null && !swept) {
    const anchor = s.lastInProgressReminderAt ?? s.inProgressSince;
    return { kind: 'IN_PROGRESS_REMINDER', at: anchor + d.inProgressReminderMs };
  }
  if (s.status === 'EN_ATTENTE') {
    const reminderAt = consultationReminderAt(s.consultation);
    if (reminderAt !== null && (s.holdUntil === null || reminderAt < s.holdUntil)) {
      return { kind: 'CONSULTATION_REMINDER', at: reminderAt };
    }
    if (s.holdUntil !== null) {
      return { kind: 'HOLD_END', at: s.holdUntil };
    }
  }
  return null;
}
