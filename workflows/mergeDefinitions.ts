// Messages of the merge workflow (workflows/merge.ts) and of the request workflow's part in
// a merge, shared with the web side. Ids only, as everywhere in workflow histories.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RequestState } from './definitions';

export type MergeOutcome = { status: 'DONE'; reference: string } | { status: 'FAILED'; refusal: string; reference: string } | { status: 'UNDONE' };

export interface MergeInput {
  mergeId: number;
  /** the agent who merged: the new request is theirs */
  agentId: number;
}

/** Waits for the merge to end (merged, or refused on the way) and says how. */
export const mergeOutcomeUpdate = defineUpdate<MergeOutcome, []>('mergeOutcome');
/** « Annuler la fusion »: refused once the new request was touched. */
export const undoMergeUpdate = defineUpdate<MergeOutcome, [{ agentId: number }]>('undoMerge');
/** The new request's workflow tells its merge that an action was taken on it: the merge is final. */
export const mergeTouchedSignal = defineSignal<[]>('mergeTouched');

/** A source closed into a merge (DOUBLON): it keeps its data until the merge is final or undone. */
export interface MergeCloseArgs {
  agentId: number;
  mergeId: number;
  /** « fusionnée dans DEM-… », written by the caller */
  commentId: number | null;
}
export const mergeCloseUpdate = defineUpdate<RequestState, [MergeCloseArgs]>('mergeClose');
/** The merge was undone: the source goes back to the status and assignee it had. */
export const unmergeUpdate = defineUpdate<RequestState, [{ agentId: number; mergeId: number }]>('unmerge');
/** The merge is final (its new request was touched): the source may forget the citizen. */
export const mergeFinalSignal = defineSignal<[{ mergeId: number }]>('mergeFinal');
/** The new request of an undone merge is withdrawn: refused once it was touched. */
export const withdrawMergedUpdate = defineUpdate<RequestState, [{ agentId: number }]>('withdrawMerged');

// Keyed by the town hall's reference prefix too: merge ids restart at 1 in every database,
// and several Guichets (or test databases) may share one Temporal namespace.
export const mergeWorkflowIdOf = (referencePrefix: string, mergeId: number): string => `merge-${referencePrefix}-${mergeId}`;
export const MERGED_CLOSING_CODE = 'DOUBLON';
/** The new request of an undone merge ends with this code. */
export const WITHDRAWN_CLOSING_CODE = 'SANS_SUITE';
