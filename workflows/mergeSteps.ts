// A request's part in a merge, as data and pure functions (as workflows/lifecycle.ts):
// a source is closed as a duplicate from any open status and may be reopened as it was
// while the merge can be undone; the merge's new request may be withdrawn while untouched.
import type { Status } from './definitions';
import { OPEN_STATUSES } from './definitions';
import type { Step } from './lifecycle';

export const MERGE_STEPS = {
  close: { from: OPEN_STATUSES, to: 'CLOTUREE', event: null },
  unmerge: { from: ['CLOTUREE'], to: null, event: null },
  withdraw: { from: OPEN_STATUSES, to: 'CLOTUREE', event: null },
} as const satisfies Record<string, Step>;

/** What a source was before its merge: what an undo gives back. */
export interface MergedInto {
  mergeId: number;
  prior: { status: Status; assigneeId: number | null; holdUntil: number | null; waitingForCitizen: boolean };
}

export interface MergeRefusal {
  code: 'MERGE_TOUCHED' | 'MERGE_NOT_UNDOABLE';
  assigneeId: number | null;
}

export function mergeRefusal(
  step: 'unmerge',
  s: { status: Status; assigneeId: number | null; mergedInto: MergedInto | null; mergeSettlement: 'final' | 'undone' | null; mergeId: number },
): MergeRefusal | null;
export function mergeRefusal(
  step: 'withdraw',
  s: { status: Status; assigneeId: number | null; merged: boolean; mergeTouched: boolean; withdrawingMerge: boolean },
): MergeRefusal | null;
/** Why a merge's step is refused: an undo once the merge is final, a withdrawal once the new request was touched. */
export function mergeRefusal(step: 'unmerge' | 'withdraw', s: Record<string, unknown> & { status: Status; assigneeId: number | null }): MergeRefusal | null {
  if (step === 'unmerge') {
    const into = s.mergedInto as MergedInto | null;
    const undoable = s.status === 'CLOTUREE' && into !== null && into.mergeId === s.mergeId && s.mergeSettlement === null;
    return undoable ? null : { code: 'MERGE_NOT_UNDOABLE', assigneeId: s.assigneeId };
  }
  const untouched = s.merged === true && s.mergeTouched === false && s.withdrawingMerge === false && s.status !== 'CLOTUREE';
  return untouched ? null : { code: 'MERGE_TOUCHED', assigneeId: s.assigneeId };
}
