// Messages of the request workflow, shared by the workflow and the web side.
// Arguments carry ids only: free text (comments, e-mail drafts) is written to the
// database by the caller and referred to by id, so no personal data reaches history.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export type Status = 'NON_TRAITEE' | 'EN_COURS' | 'EN_ATTENTE' | 'CLOTUREE';
export const OPEN_STATUSES: readonly Status[] = ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'];
export const STATUSES: readonly Status[] = [...OPEN_STATUSES, 'CLOTUREE'];

/** Delays of a form type, in milliseconds. */
export interface Delays {
  unprocessedReminderMs: number;
  reminderEveryMs: number;
  deletionMs: number;
  deletionWarningMs: number;
  inProgressReminderMs: number;
}

export interface RequestInput {
  requestId: number;
  reference: string;
  submittedAt: number;
  delays: Delays;
}

export interface TakeArgs {
  agentId: number;
  /** A recorded acknowledgement e-mail to send, or null for none. */
  emailId: number | null;
}
export interface HoldArgs {
  agentId: number;
  commentId: number | null;
  until: number | null;
  /** the citizen's answer through a message link resumes it (absent from older histories: false) */
  waitingForCitizen?: boolean;
}
export interface ResumeArgs {
  /** null when the citizen's answer brings the request back */
  agentId: number | null;
}
export interface ReassignArgs {
  agentId: number;
  toAgentId: number;
}
export interface AnnotateArgs {
  agentId: number;
  eventType: string;
  commentId: number | null;
}
export interface CloseArgs {
  agentId: number;
  closingCode: string;
  emailId: number | null;
}

export interface RequestState {
  status: Status;
  assigneeId: number | null;
  closingCode: string | null;
  holdUntil: number | null;
  /** on hold until the citizen answers: their reply resumes the request */
  waitingForCitizen: boolean;
  seq: number;
  delays: Delays;
}

export const takeUpdate = defineUpdate<RequestState, [TakeArgs]>('take');
export const holdUpdate = defineUpdate<RequestState, [HoldArgs]>('hold');
export const resumeUpdate = defineUpdate<RequestState, [ResumeArgs]>('resume');
export const reassignUpdate = defineUpdate<RequestState, [ReassignArgs]>('reassign');
export const annotateUpdate = defineUpdate<RequestState, [AnnotateArgs]>('annotate');
export const closeUpdate = defineUpdate<RequestState, [CloseArgs]>('close');
export const delaysChangedSignal = defineSignal<[Delays]>('delaysChanged');
export const stateQuery = defineQuery<RequestState>('state');

export const workflowIdOf = (reference: string): string => `request-${reference}`;
