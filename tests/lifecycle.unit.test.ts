import type { Delays } from '../workflows/definitions';
import { allowedActions, nextDeadline, refusalOf, type TimerState } from '../workflows/lifecycle';

const delays: Delays = { unprocessedReminderMs: 200, reminderEveryMs: 100, deletionMs: 1000, deletionWarningMs: 300, inProgressReminderMs: 500 };
const base: TimerState = {
  status: 'NON_TRAITEE', submittedAt: 10_000, delays, lastUnprocessedReminderAt: null, deletionWarningSent: false,
  inProgressSince: null, lastInProgressReminderAt: null, holdUntil: null,
};

describe('the state machine', () => {
  test('allows each action from its statuses only', () => {
    expect(allowedActions('NON_TRAITEE')).toEqual(['take', 'reassign', 'annotate']);
    expect(allowedActions('EN_COURS')).toEqual(['hold', 'reassign', 'annotate', 'close']);
    expect(allowedActions('EN_ATTENTE')).toEqual(['resume', 'reassign', 'annotate', 'close']);
    expect(allowedActions('CLOTUREE')).toEqual([]);
  });

  test('names the reason of a refusal', () => {
    expect(refusalOf('take', { status: 'EN_COURS', assigneeId: 3 })).toEqual({ code: 'ALREADY_TAKEN', assigneeId: 3 });
    expect(refusalOf('close', { status: 'NON_TRAITEE', assigneeId: null })?.code).toBe('NOT_TAKEN');
    expect(refusalOf('reassign', { status: 'EN_COURS', assigneeId: 3 }, { toAgentId: 3 })?.code).toBe('SAME_ASSIGNEE');
    expect(refusalOf('annotate', { status: 'CLOTUREE', assigneeId: 3 })?.code).toBe('ALREADY_CLOSED');
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
});
