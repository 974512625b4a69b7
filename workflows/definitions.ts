// Messages of the request workflow, shared by the workflow and the web side.
// Arguments carry ids only: free text (comments, e-mail drafts) is written to the
// database by the caller and referred to by id, so no personal data reaches history.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export type Status = 'NON_TRAITEE' | 'EN_COURS' | 'EN_ATTENTE' | 'CLOTUREE';
export const OPEN_STATUSES: readonly Status[] = ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE'];
export const STATUSES: readonly Status[] = [...OPEN_STATUSES, 'CLOTUREE'];

/**
 * A request's priority, most urgent first. Stored as its rank (1 haute, 2 moyenne,
 * 3 basse): sorting the rank ascending puts the most urgent first.
 */
export const PRIORITIES = ['haute', 'moyenne', 'basse'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type PriorityRank = 1 | 2 | 3;
export const DEFAULT_PRIORITY: Priority = 'moyenne';
export const rankOf = (priority: Priority): PriorityRank => (PRIORITIES.indexOf(priority) + 1) as PriorityRank;
/** The priority of a stored rank; an unknown rank reads as the default. */
export const priorityOf = (rank: number | string | null | undefined): Priority => PRIORITIES[Number(rank) - 1] ?? DEFAULT_PRIORITY;

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
  /** the priority it was filed with (absent from workflows started before priorities) */
  priority?: PriorityRank;
  /** the group whose queue it was filed into (absent from workflows started before groups) */
  groupId?: number | null;
  /**
   * false for a request made by splitting another (workflows/split.ts): the split tells the
   * citizen itself (one e-mail for both parts) and assigns it, so no receipt and no
   * information e-mail to the agents (absent from other requests: true)
   */
  announce?: boolean;
  /** the merge that made this request (absent otherwise): it starts under way, the merging agent's */
  merge?: { mergeId: number; agentId: number; workflowId: string };
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
export interface PrioritizeArgs {
  agentId: number;
  /** the rank the projection showed the agent: the workflow's own once it has changed it */
  from: PriorityRank;
  to: PriorityRank;
}
export interface TransferArgs {
  agentId: number;
  /** the group the projection showed the agent: the workflow's own once it has moved it */
  fromGroupId: number;
  toGroupId: number;
  /** why (free text in the database) */
  commentId: number | null;
}
/** Asking another group's opinion: the request waits for its answer (workflows/consultation.ts). */
export interface ConsultArgs {
  agentId: number;
  /** the consultations row the caller wrote (the question is a comment, kept out of history) */
  consultationId: number;
  /** the consulted group: its members are reminded */
  toGroupId: number;
  /** the hold's reason « avis demandé à … » */
  commentId: number | null;
  /** how long the consulted group is left before its members are reminded, and again */
  reminderMs: number;
}
export interface AnswerConsultationArgs {
  /** the expert who answers */
  agentId: number;
  consultationId: number;
  /** the answer, an internal note */
  commentId: number | null;
}
export interface WithdrawConsultationArgs {
  agentId: number;
  consultationId: number;
}
/** A callback planned (or moved): the row is written first by the command, the workflow holds its time. */
export interface CallbackArgs {
  agentId: number;
  callbackId: number;
  dueAt: number;
}
export interface CancelCallbackArgs {
  agentId: number;
  callbackId: number;
}
/** A call's outcome: its wrap-up code, and a note written by the caller (by id). */
export interface LogCallArgs {
  agentId: number;
  wrapUpCode: string;
  commentId: number | null;
}
/** A telephone call reported by the connector, recorded on the request the agent chose: how long it lasted. */
export interface PhoneCallArgs {
  agentId: number;
  /** whole seconds between « answered » and « hangup » */
  seconds: number;
}
export interface AssignArgs {
  /** the agent who assigns the request to themselves */
  agentId: number;
}
export interface ReleaseArgs {
  /** who releases it: its assignee, or a dispatcher of its group */
  agentId: number;
}
export interface CloseArgs {
  agentId: number;
  closingCode: string;
  emailId: number | null;
}

/** Closing the original of a split (« Scinder »): from any open status, as SCINDEE, by the agent who split it. */
export interface SplitArgs {
  agentId: number;
  /** the splits row (src/db/splits.ts): its parts were made before */
  splitId: number;
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
  /** its priority (rank); null for a workflow started before priorities, until an agent changes it */
  priority?: PriorityRank | null;
  /** the group whose queue it is in; null for a workflow started before groups, until it is transferred */
  groupId?: number | null;
  /** the consultation it waits for, if any (absent from workflows started before consultations) */
  consultationId?: number | null;
}

export const takeUpdate = defineUpdate<RequestState, [TakeArgs]>('take');
export const holdUpdate = defineUpdate<RequestState, [HoldArgs]>('hold');
export const resumeUpdate = defineUpdate<RequestState, [ResumeArgs]>('resume');
export const reassignUpdate = defineUpdate<RequestState, [ReassignArgs]>('reassign');
export const annotateUpdate = defineUpdate<RequestState, [AnnotateArgs]>('annotate');
export const prioritizeUpdate = defineUpdate<RequestState, [PrioritizeArgs]>('prioritize');
export const transferUpdate = defineUpdate<RequestState, [TransferArgs]>('transfer');
export const consultUpdate = defineUpdate<RequestState, [ConsultArgs]>('consult');
export const answerConsultationUpdate = defineUpdate<RequestState, [AnswerConsultationArgs]>('answerConsultation');
export const withdrawConsultationUpdate = defineUpdate<RequestState, [WithdrawConsultationArgs]>('withdrawConsultation');
export const scheduleCallbackUpdate = defineUpdate<RequestState, [CallbackArgs]>('scheduleCallback');
export const moveCallbackUpdate = defineUpdate<RequestState, [CallbackArgs]>('moveCallback');
export const cancelCallbackUpdate = defineUpdate<RequestState, [CancelCallbackArgs]>('cancelCallback');
export const logCallUpdate = defineUpdate<RequestState, [LogCallArgs]>('logCall');
export const phoneCallUpdate = defineUpdate<RequestState, [PhoneCallArgs]>('phoneCall');
export const assignUpdate = defineUpdate<RequestState, [AssignArgs]>('assign');
export const releaseUpdate = defineUpdate<RequestState, [ReleaseArgs]>('release');
export const closeUpdate = defineUpdate<RequestState, [CloseArgs]>('close');
export const splitUpdate = defineUpdate<RequestState, [SplitArgs]>('split');
export const delaysChangedSignal = defineSignal<[Delays]>('delaysChanged');
export const stateQuery = defineQuery<RequestState>('state');

export const workflowIdOf = (reference: string): string => `request-${reference}`;
