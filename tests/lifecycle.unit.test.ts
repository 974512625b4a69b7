import type { Delays } from '../workflows/definitions';
import {
  ACTIONS, allowedActions, changeOf, changeOfStep, isLifecycleEvent, PRIORITY_CHANGED, TRANSFERRED, nextDeadline, refusalOf, replyResumes, showsOutcome, TIMED_STEPS, type TimerState,
} from '../workflows/lifecycle';

const delays: Delays = { unprocessedReminderMs: 200, reminderEveryMs: 100, deletionMs: 1000, deletionWarningMs: 300, inProgressReminderMs: 500 };
const base: TimerState = {
  status: 'NON_TRAITEE', submittedAt: 10_000, delays, lastUnprocessedReminderAt: null, deletionWarningSent: false,
  inProgressSince: null, lastInProgressReminderAt: null, holdUntil: null,
};

describe('the state machine', () => {
  test('allows each action from its statuses only', () => {
    expect(allowedActions('NON_TRAITEE')).toEqual(['take', 'reassign', 'annotate', 'prioritize', 'transfer', 'callback', 'logCall', 'assign', 'release']);
    expect(allowedActions('EN_COURS')).toEqual(['hold', 'reassign', 'annotate', 'prioritize', 'transfer', 'consult', 'callback', 'logCall', 'close', 'assign', 'release']);
    expect(allowedActions('EN_ATTENTE')).toEqual(['resume', 'reassign', 'annotate', 'prioritize', 'transfer', 'callback', 'logCall', 'close', 'assign', 'release']);
    expect(allowedActions('CLOTUREE')).toEqual([]);
  });

  test('names the reason of a refusal', () => {
    expect(refusalOf('take', { status: 'EN_COURS', assigneeId: 3 })).toEqual({ code: 'ALREADY_TAKEN', assigneeId: 3 });
    expect(refusalOf('close', { status: 'NON_TRAITEE', assigneeId: null })?.code).toBe('NOT_TAKEN');
    expect(refusalOf('reassign', { status: 'EN_COURS', assigneeId: 3 }, { toAgentId: 3 })?.code).toBe('SAME_ASSIGNEE');
    expect(refusalOf('annotate', { status: 'CLOTUREE', assigneeId: 3 })?.code).toBe('ALREADY_CLOSED');
    // S'assigner what nobody holds, libérer what somebody does, whatever the open status.
    expect(refusalOf('assign', { status: 'EN_COURS', assigneeId: 3 })).toEqual({ code: 'ALREADY_ASSIGNED', assigneeId: 3 });
    expect(refusalOf('assign', { status: 'EN_ATTENTE', assigneeId: null })).toBeNull();
    expect(refusalOf('assign', { status: 'CLOTUREE', assigneeId: null })?.code).toBe('ALREADY_CLOSED');
    expect(refusalOf('release', { status: 'EN_COURS', assigneeId: null })?.code).toBe('NOT_ASSIGNED');
    expect(refusalOf('release', { status: 'EN_ATTENTE', assigneeId: 3 })).toBeNull();
    expect(refusalOf('hold', { status: 'EN_COURS', assigneeId: 3 })).toBeNull();
  });
});

describe('the next timer', () => {
  test('an untaken request: first reminder, then every period, the warning, the deletion', () => {
    expect(nextDeadline(base)).toEqual({ kind: 'UNPROCESSED_REMINDER', at: 10_200 });
    expect(nextDeadline({ ...base, lastUnprocessedReminderAt: 10_650 })).toEqual({ kind: 'DELETION_WARNING', at: 10_700 });
    expect(nextDeadline({ ...base, lastUnprocessedReminderAt: 10_650, deletionWarningSent: true })).toEqual({ kind: 'UNPROCESSED_REMINDER', at: 10_750 });
    expect(nextDeadline({ ...base, lastUnprocessedReminderAt: 10_950, deletionWarningSent: true })).toEqual({ kind: 'DELETION', at: 11_000 });
  });

  test('on a tie the deletion comes first', () => {
    const tie = { ...base, delays: { ...delays, unprocessedReminderMs: 1000, deletionWarningMs: 0 } };
    expect(nextDeadline(tie)).toEqual({ kind: 'DELETION', at: 11_000 });
  });

  test('a changed delay moves the deadline from the same anchor', () => {
    expect(nextDeadline({ ...base, delays: { ...delays, unprocessedReminderMs: 50 } })?.at).toBe(10_050);
  });

  test('in progress: reminders from the start of the work; on hold: only the end date', () => {
    expect(nextDeadline({ ...base, status: 'EN_COURS', inProgressSince: 20_000 })).toEqual({ kind: 'IN_PROGRESS_REMINDER', at: 20_500 });
    expect(nextDeadline({ ...base, status: 'EN_COURS', inProgressSince: 20_000, lastInProgressReminderAt: 20_600 })?.at).toBe(21_100);
    expect(nextDeadline({ ...base, status: 'EN_ATTENTE', holdUntil: 30_000 })).toEqual({ kind: 'HOLD_END', at: 30_000 });
    expect(nextDeadline({ ...base, status: 'EN_ATTENTE' })).toBeNull();
    expect(nextDeadline({ ...base, status: 'CLOTUREE' })).toBeNull();
  });

  test('waiting for a consultation: the consulted group is reminded after its delay, then every same delay', () => {
    const consultation = { id: 7, askedBy: 1, toGroupId: 3, since: 40_000, everyMs: 2_000, lastReminderAt: null };
    expect(nextDeadline({ ...base, status: 'EN_ATTENTE', consultation })).toEqual({ kind: 'CONSULTATION_REMINDER', at: 42_000 });
    expect(nextDeadline({ ...base, status: 'EN_ATTENTE', consultation: { ...consultation, lastReminderAt: 42_100 } })?.at).toBe(44_100);
    // A hold's date that comes first still ends the wait first.
    expect(nextDeadline({ ...base, status: 'EN_ATTENTE', holdUntil: 41_000, consultation })).toEqual({ kind: 'HOLD_END', at: 41_000 });
    // No delay, no reminder.
    expect(nextDeadline({ ...base, status: 'EN_ATTENTE', consultation: { ...consultation, everyMs: 0 } })).toBeNull();
  });
});

describe('the rulebook', () => {
  test('each action: the statuses it starts from, where it leads and the event it writes', () => {
    // action, origin statuses, target status, event
    const table = [
      ['take', 'NON_TRAITEE', 'EN_COURS', 'TAKEN'], ['hold', 'EN_COURS', 'EN_ATTENTE', 'HELD'], ['resume', 'EN_ATTENTE', 'EN_COURS', 'RESUMED'],
      ['reassign', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, 'REASSIGNED'], ['annotate', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null],
      ['prioritize', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null],
      ['transfer', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null],
      ['consult', 'EN_COURS', 'EN_ATTENTE', 'HELD'],
      ['callback', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null],
      ['logCall', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null],
      ['close', 'EN_COURS EN_ATTENTE', 'CLOTUREE', 'CLOSED'],
      // The workflow writes TAKEN (from NON_TRAITEE) or ASSIGNED, and RELEASED: internal events.
      ['assign', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null], ['release', 'NON_TRAITEE EN_COURS EN_ATTENTE', null, null],
    ] as const;
    expect(Object.keys(ACTIONS)).toEqual(table.map(([action]) => action));
    for (const [action, from, to, event] of table) {
      expect([action, ACTIONS[action]]).toEqual([action, { from: from.split(' '), to, event }]);
    }
    expect(TIMED_STEPS.expire).toEqual({ from: ['NON_TRAITEE'], to: 'CLOTUREE', event: 'EXPIRED' });
    expect(TIMED_STEPS.holdEnd).toEqual({ from: ['EN_ATTENTE'], to: 'EN_COURS', event: 'HOLD_ENDED' });
    const events = [...Object.values(ACTIONS), ...Object.values(TIMED_STEPS)].map((s) => s.event).filter((e) => e !== null);
    expect(events.every(isLifecycleEvent)).toBe(true);
    expect(isLifecycleEvent('NOTE')).toBe(false);
  });

  test('the change of each action: its status, its fields; leaving the hold ends its date and the waiting', () => {
    expect(changeOf('take', { agentId: 3 })).toEqual({ status: 'EN_COURS', assigneeId: 3, holdUntil: null, waitingForCitizen: false });
    expect(changeOf('hold', { until: 5000, waitingForCitizen: true })).toEqual({ status: 'EN_ATTENTE', holdUntil: 5000, waitingForCitizen: true });
    // A hold of an older history carries no flag: not waiting.
    expect(changeOf('hold', { until: null })).toEqual({ status: 'EN_ATTENTE', holdUntil: null, waitingForCitizen: false });
    expect(changeOf('resume', {})).toEqual({ status: 'EN_COURS', holdUntil: null, waitingForCitizen: false });
    expect(changeOf('reassign', { toAgentId: 4 })).toEqual({ assigneeId: 4 });
    expect(changeOf('annotate', {})).toEqual({});
    expect(changeOf('prioritize', { to: 1 })).toEqual({ priority: 1 });
    expect(changeOf('close', { closingCode: 'TRAITEE' })).toEqual({ status: 'CLOTUREE', closingCode: 'TRAITEE', holdUntil: null, waitingForCitizen: false });
    expect(changeOfStep(TIMED_STEPS.holdEnd)).toEqual({ status: 'EN_COURS', holdUntil: null, waitingForCitizen: false });
  });

  test('a change of priority: refused when closed, and when it is the request\'s already', () => {
    const open = { status: 'EN_COURS', assigneeId: 3 } as const;
    expect(refusalOf('prioritize', open, { priority: { from: 2, to: 1 } })).toBeNull();
    expect(refusalOf('prioritize', open, { priority: { from: 1, to: 1 } })?.code).toBe('SAME_PRIORITY');
    expect(refusalOf('prioritize', { status: 'CLOTUREE', assigneeId: 3 }, { priority: { from: 2, to: 1 } })?.code).toBe('ALREADY_CLOSED');
    expect(isLifecycleEvent(PRIORITY_CHANGED)).toBe(false);
  });

  test('a transfer: nobody holds it any more, its status stays; refused to its own group, and when it has left the group the agent saw', () => {
    const open = { status: 'EN_COURS', assigneeId: 3 } as const;
    expect(changeOf('transfer', { toGroupId: 7 })).toEqual({ groupId: 7, assigneeId: null });
    expect(refusalOf('transfer', open, { group: { seen: 1, current: 1, to: 7 } })).toBeNull();
    expect(refusalOf('transfer', open, { group: { seen: 1, current: 1, to: 1 } })?.code).toBe('SAME_GROUP');
    expect(refusalOf('transfer', open, { group: { seen: 1, current: 5, to: 7 } })?.code).toBe('MOVED_TO_OTHER_GROUP');
    expect(refusalOf('transfer', { status: 'CLOTUREE', assigneeId: null }, { group: { seen: 1, current: 1, to: 7 } })?.code).toBe('ALREADY_CLOSED');
    expect(isLifecycleEvent(TRANSFERRED)).toBe(false);
  });

  test('messages and replies: allowed on an open request; a reply resumes only a hold waiting for it', () => {
    for (const status of ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'] as const) {
      expect(refusalOf('message', { status, assigneeId: null })).toBeNull();
      expect(refusalOf('reply', { status, assigneeId: null })).toBeNull();
    }
    expect(refusalOf('message', { status: 'CLOTUREE', assigneeId: 3 })).toEqual({ code: 'ALREADY_CLOSED', assigneeId: 3 });
    expect(refusalOf('reply', { status: 'CLOTUREE', assigneeId: 3 })).toEqual({ code: 'REQUEST_CLOSED_FOR_REPLY', assigneeId: 3 });
    expect(replyResumes({ status: 'EN_ATTENTE', waitingForCitizen: true })).toBe(true);
    expect(replyResumes({ status: 'EN_ATTENTE', waitingForCitizen: false })).toBe(false);
    expect(replyResumes({ status: 'EN_ATTENTE' })).toBe(false);
    expect(replyResumes({ status: 'EN_COURS', waitingForCitizen: true })).toBe(false);
  });

  test('what a bulk action leaves behind', () => {
    const taken = { status: 'EN_COURS' as const, assigneeId: 3, closingCode: null };
    expect(showsOutcome('take', { agentId: 3 }, taken)).toBe(true);
    // Taken, then put on hold already: still the take's doing.
    expect(showsOutcome('take', { agentId: 3 }, { ...taken, status: 'EN_ATTENTE' })).toBe(true);
    expect(showsOutcome('take', { agentId: 4 }, taken)).toBe(false);
    expect(showsOutcome('take', { agentId: 3 }, { ...taken, status: 'NON_TRAITEE' })).toBe(false);
    expect(showsOutcome('close', { closingCode: 'TRAITEE' }, { ...taken, status: 'CLOTUREE', closingCode: 'TRAITEE' })).toBe(true);
    expect(showsOutcome('close', { closingCode: 'TRAITEE' }, { ...taken, status: 'CLOTUREE', closingCode: 'SANS_SUITE' })).toBe(false);
    expect(showsOutcome('close', { closingCode: 'TRAITEE' }, taken)).toBe(false);
    expect(showsOutcome('reassign', { toAgentId: 3 }, taken)).toBe(true);
    expect(showsOutcome('reassign', { toAgentId: 3 }, { ...taken, status: 'NON_TRAITEE' })).toBe(true);
    expect(showsOutcome('reassign', { toAgentId: 5 }, taken)).toBe(false);
  });
});
