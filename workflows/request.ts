// One workflow per request, id `request-<reference>`: the authority on its status.
// Updates change the state synchronously, before their first await, so that of two
// agents taking at once the second one's validator already sees EN_COURS.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, TimerFired } from '../src/activities/types';
import type { EmailKind } from '../src/db/emails';
import type { Projection } from '../src/db/transitions';
import {
  annotateUpdate,
  answerConsultationUpdate,
  consultUpdate,
  withdrawConsultationUpdate,
  cancelCallbackUpdate,
  assignUpdate,
  closeUpdate,
  delaysChangedSignal,
  holdUpdate,
  logCallUpdate,
  phoneCallUpdate,
  moveCallbackUpdate,
  prioritizeUpdate,
  reassignUpdate,
  transferUpdate,
  releaseUpdate,
  resumeUpdate,
  scheduleCallbackUpdate,
  splitUpdate,
  stateQuery,
  takeUpdate,
  type AnnotateArgs,
  type CallbackArgs,
  type CancelCallbackArgs,
  type LogCallArgs,
  type PhoneCallArgs,
  type AssignArgs,
  type CloseArgs,
  type ConsultArgs,
  type HoldArgs,
  type PriorityRank,
  type RequestInput,
  type ReleaseArgs,
  type ResumeArgs,
  type SplitArgs,
  type TakeArgs,
  type RequestState,
  type Status,
} from './definitions';
import { ARRIVAL_OPTIONS, MAIL_ACTIVITY_OPTIONS, PACED_REMINDERS, remindersQueueOf } from './mailOptions';
import { PATCHES } from './patches';
import { mergeCloseUpdate, mergeFinalSignal, mergeTouchedSignal, MERGED_CLOSING_CODE, unmergeUpdate, withdrawMergedUpdate, WITHDRAWN_CLOSING_CODE } from './mergeDefinitions';
import { mergeRefusal, MERGE_STEPS, type MergedInto } from './mergeSteps';
import { consultationRefusal, type ConsultationEnd, type PendingConsultation } from './consultation';
import { earliest, nextCallbackDeadline, sameDeadline, withCallback, withoutCallback, type CallbackDeadline, type PlannedCallback } from './callbacks';
import { ACTIONS, ASSIGNED, SPLIT_CLOSING_CODE, SPLIT_STEP, changeOf, CONSULTATION_ANSWERED, CONSULTATION_STEPS, PRIORITY_CHANGED, RELEASED, TRANSFERRED, changeOfStep, nextDeadline, refusalOf, TIMED_STEPS, type Action, type Change, type Step, type TimerKind, type TimerState } from './lifecycle';

// Database writes take milliseconds: after a worker dies (kill -9, no heartbeat) the one it
// was running is retried once this timeout expires, and the purge waits behind it.
const DB_OPTIONS = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
} as const;
const db = proxyActivities<Activities>(DB_OPTIONS);
const mail = proxyActivities<Activities>(MAIL_ACTIVITY_OPTIONS);
const arrival = proxyLocalActivities<Pick<Activities, 'announceSubmission'>>(ARRIVAL_OPTIONS);

export async function requestWorkflow(input: RequestInput): Promise<void> {
  const { requestId, reference } = input;
  // A merge's new request starts under way, held by the agent who merged.
  const merged = input.merge ?? null;
  const s: TimerState & RequestState & { version: number; priority: PriorityRank | null; groupId: number | null; consultation: PendingConsultation | null } = {
    status: merged ? 'EN_COURS' : 'NON_TRAITEE',
    priority: input.priority ?? null,
    groupId: input.groupId ?? null,
    assigneeId: merged?.agentId ?? null,
    closingCode: null,
    holdUntil: null,
    waitingForCitizen: false,
    seq: 1, // event 1 (SUBMITTED) is written with the request itself
    delays: input.delays,
    submittedAt: input.submittedAt,
    lastUnprocessedReminderAt: null,
    deletionWarningSent: false,
    inProgressSince: merged ? input.submittedAt : null,
    lastInProgressReminderAt: null,
    consultation: null,
    version: 0,
  };
  // Filed from this version on: the sweep sends its unprocessed and in-progress reminders
  // (src/reminders/sweeper.ts). Decided once, at the start: a workflow filed before keeps its timers.
  const swept = patched(PATCHES.sweptReminders);
  const deadline = () => nextDeadline(s, { swept });
  // How each finished consultation ended: a late answer or withdrawal is told which.
  const ended: Record<number, ConsultationEnd> = {};
  // The callbacks planned and not yet fired: ids and times only (workflows/callbacks.ts).
  let callbacks: PlannedCallback[] = [];
  const background: Promise<void>[] = [];
  // The reminders' e-mails, on a queue of their own (workflows/mailOptions.ts).
  const reminders = proxyActivities<Activities>({ ...MAIL_ACTIVITY_OPTIONS, taskQueue: remindersQueueOf(workflowInfo().taskQueue) });
  let closingEmailId: number | null = null;
  // The filing was undone (its rows removed after an ambiguous start): nothing to run.
  let withdrawn = false;
  // Closed into a merge: the data stays until the merge is final or undone (workflows/mergeSteps.ts).
  let mergedInto: MergedInto | null = null;
  let mergeSettlement: 'final' | 'undone' | null = null;
  // Of a merge's new request: whether an action was taken on it (the undo is then refused).
  let mergeTouched = false;
  let withdrawingMerge = false;

  const snapshot = (): RequestState => ({
    status: s.status,
    assigneeId: s.assigneeId,
    closingCode: s.closingCode,
    holdUntil: s.holdUntil,
    waitingForCitizen: s.waitingForCitizen,
    seq: s.seq,
    delays: s.delays,
    priority: s.priority,
    groupId: s.groupId,
    consultationId: s.consultation?.id ?? null,
  });

  const refuse = (action: Action, target?: Parameters<typeof refusalOf>[2]): void => {
    const refusal = refusalOf(action, s, target);
    if (refusal) {
      throw ApplicationFailure.create({ type: refusal.code, message: refusal.code, details: [refusal], nonRetryable: true });
    }
  };

  /**
   * Makes a step of the state machine: changes the state now, then writes the event and
   * the projection (the change, and `extra` columns); returns the event's seq.
   */
  const transition = async (
    step: Step,
    by: {
      agentId: number | null; commentId?: number | null; emailId?: number | null; eventType?: string; priorityFrom?: PriorityRank; groupFrom?: number;
      /** the consultation this step ends, how, and by whom (the expert, or who withdrew it) */
      settles?: { id: number; status: ConsultationEnd; commentId: number | null; agentId: number | null };
      wrapUpCode?: string;
      /** the duration of a telephone call (APPEL_TELEPHONIQUE) */
      callSeconds?: number;
      /** the timer that made this step, for its lateness */
      timer?: TimerFired;
    },
    change: Change,
    extra: Partial<Projection> = {},
  ): Promise<number> => {
    const at = Date.now();
    if (merged && !mergeTouched && !withdrawingMerge) {
      mergeTouched = true;
      background.push(getExternalWorkflowHandle(merged.workflowId).signal(mergeTouchedSignal).catch(() => undefined));
    }
    // Leaving the wait any other way (resumed, closed) withdraws the consultation.
    const settles = by.settles ?? (s.consultation && change.status !== undefined && change.status !== 'EN_ATTENTE'
      ? { id: s.consultation.id, status: 'WITHDRAWN' as const, commentId: null, agentId: by.agentId }
      : undefined);
    if (settles) {
      ended[settles.id] = settles.status;
      s.consultation = null;
    }
    Object.assign(s, change);
    if (change.status === 'EN_COURS') {
      s.inProgressSince = at;
      s.lastInProgressReminderAt = null;
    }
    s.seq += 1;
    s.version += 1;
    const seq = s.seq;
    await db.recordTransition({
      requestId, seq, at, eventType: step.event ?? by.eventType!, agentId: by.agentId, commentId: by.commentId ?? null, emailId: by.emailId ?? null,
      projection: { ...change, ...extra },
      ...(by.priorityFrom === undefined ? {} : { priorityFrom: by.priorityFrom }),
      ...(by.groupFrom === undefined ? {} : { groupFrom: by.groupFrom }),
      ...(settles ? { consultation: settles } : {}),
      ...(by.wrapUpCode === undefined ? {} : { wrapUpCode: by.wrapUpCode }),
      ...(by.callSeconds === undefined ? {} : { callSeconds: by.callSeconds }),
      ...(by.timer ? { timer: by.timer } : {}),
    });
    return seq;
  };

  const sendInBackground = (emailId: number): void => {
    background.push(
      mail.sendEmail({ emailId }).catch(async (err: unknown) => {
        if (err instanceof ActivityFailure) {
          await db.markEmailFailed({ emailId, error: String(err.cause?.message ?? err.message) });
          return;
        }
        throw err;
      }),
    );
  };

  /** To the request's group ('agents'), one agent (their id), or another group's members (a consulted group). */
  const notifyInBackground = (kind: EmailKind, key: string, to: 'agents' | number | { groupId: number }, onlyIfStatus?: Status, timer?: TimerFired): void => {
    const fired = timer ? { timer } : {};
    const pacedHere = timer !== undefined && patched(PACED_REMINDERS);
    const via = pacedHere ? reminders : mail;
    const job = typeof to === 'number'
      ? via.notifyAgent({ requestId, kind, key, agentId: to, onlyIfStatus, ...fired })
      : via.notifyAgents({ requestId, kind, key, onlyIfStatus, ...(to === 'agents' ? {} : { groupId: to.groupId }), ...fired });
    const settled = job.catch(() => undefined); // a reminder that could not go out must not stop the request
    if (!pacedHere) {
      background.push(settled); // a paced reminder is not waited for at the close
    }
  };

  setHandler(stateQuery, snapshot);
  setHandler(delaysChangedSignal, (delays) => {
    s.delays = delays;
    s.version += 1;
  });

  setHandler(takeUpdate, async (args) => {
    await transition(ACTIONS.take, args, changeOf('take', args), { takenAt: Date.now() });
    if (args.emailId !== null) {
      sendInBackground(args.emailId);
    }
    return snapshot();
  }, { validator: (_args: TakeArgs) => refuse('take') });

  setHandler(holdUpdate, async (args) => {
    await transition(ACTIONS.hold, args, changeOf('hold', args));
    return snapshot();
  }, { validator: (_args: HoldArgs) => refuse('hold') });

  setHandler(resumeUpdate, async (args) => {
    await transition(ACTIONS.resume, args, changeOf('resume', args));
    return snapshot();
  }, { validator: (_args: ResumeArgs) => refuse('resume') });

  setHandler(reassignUpdate, async (args) => {
    const seq = await transition(ACTIONS.reassign, args, changeOf('reassign', args));
    notifyInBackground('REASSIGNED', `${reference}:REASSIGNED:${seq}`, args.toAgentId);
    return snapshot();
  }, { validator: (args) => refuse('reassign', { toAgentId: args.toAgentId }) });

  setHandler(annotateUpdate, async (args) => {
    await transition(ACTIONS.annotate, args, changeOf('annotate', args));
    return snapshot();
  }, { validator: (_args: AnnotateArgs) => refuse('annotate') });

  // A workflow started before priorities does not know its own until an agent changes it:
  // until then, the one the agent saw (the projection's) is the starting point.
  const priorityChange = (args: { from: PriorityRank; to: PriorityRank }) => ({ from: s.priority ?? args.from, to: args.to });

  setHandler(prioritizeUpdate, async (args) => {
    const { from } = priorityChange(args);
    await transition(ACTIONS.prioritize, { agentId: args.agentId, eventType: PRIORITY_CHANGED, priorityFrom: from }, changeOf('prioritize', args));
    return snapshot();
  }, { validator: (args) => refuse('prioritize', { priority: priorityChange(args) }) });

  // As for priorities: a workflow started before groups learns its group from the first transfer.
  const groupMove = (args: { fromGroupId: number; toGroupId: number }) => ({ seen: args.fromGroupId, current: s.groupId ?? args.fromGroupId, to: args.toGroupId });

  setHandler(transferUpdate, async (args) => {
    const { current } = groupMove(args);
    await transition(ACTIONS.transfer, { agentId: args.agentId, commentId: args.commentId, eventType: TRANSFERRED, groupFrom: current }, changeOf('transfer', args));
    return snapshot();
  }, { validator: (args) => refuse('transfer', { group: groupMove(args) }) });
  setHandler(consultUpdate, async (args) => {
    s.consultation = { id: args.consultationId, askedBy: args.agentId, toGroupId: args.toGroupId, since: Date.now(), everyMs: args.reminderMs, lastReminderAt: null };
    await transition(ACTIONS.consult, args, changeOf('consult', args));
    return snapshot();
  }, { validator: (_args: ConsultArgs) => refuse('consult') });

  const refuseConsultation = (id: number): void => {
    const refusal = refusalOf('annotate', s) ?? consultationRefusal(id, s.consultation, ended, s);
    if (refusal) {
      throw ApplicationFailure.create({ type: refusal.code, message: refusal.code, details: [refusal], nonRetryable: true });
    }
  };

  // The experts' answer: an internal note, then the request resumes for the agent who asked.
  // Both steps change the state before either is written, so that no other action slips between.
  setHandler(answerConsultationUpdate, async (args) => {
    const askedBy = s.consultation!.askedBy;
    const noted = transition(ACTIONS.annotate, { agentId: args.agentId, eventType: CONSULTATION_ANSWERED, commentId: args.commentId }, {});
    const resumed = transition(
      CONSULTATION_STEPS.answer,
      { agentId: null, settles: { id: args.consultationId, status: 'ANSWERED', commentId: args.commentId, agentId: args.agentId } },
      changeOfStep(CONSULTATION_STEPS.answer, { assigneeId: askedBy }),
    );
    const [, seq] = await Promise.all([noted, resumed]);
    notifyInBackground('CONSULTATION_ANSWERED', `${reference}:CONSULTATION_ANSWERED:${seq}`, askedBy);
    return snapshot();
  }, { validator: (args) => refuseConsultation(args.consultationId) });

  setHandler(withdrawConsultationUpdate, async (args) => {
    await transition(CONSULTATION_STEPS.withdraw, { agentId: args.agentId, settles: { id: args.consultationId, status: 'WITHDRAWN', commentId: null, agentId: args.agentId } }, changeOfStep(CONSULTATION_STEPS.withdraw));
    return snapshot();
  }, { validator: (args) => refuseConsultation(args.consultationId) });

  // Callbacks: the command wrote the row (with the number) before; the workflow keeps the
  // time and says so in the history. Moving a callback that already fired plans it again.
  const planCallback = async (eventType: 'CALLBACK_PLANNED' | 'CALLBACK_MOVED', args: { agentId: number; callbackId: number; dueAt: number }) => {
    callbacks = withCallback(callbacks, args.callbackId, args.dueAt);
    s.version += 1;
    await transition(ACTIONS.callback, { agentId: args.agentId, eventType }, changeOf('callback', args));
    return snapshot();
  };
  setHandler(scheduleCallbackUpdate, (args) => planCallback('CALLBACK_PLANNED', args), { validator: (_args: CallbackArgs) => refuse('callback') });
  setHandler(moveCallbackUpdate, (args) => planCallback('CALLBACK_MOVED', args), { validator: (_args: CallbackArgs) => refuse('callback') });
  setHandler(cancelCallbackUpdate, async (args) => {
    callbacks = withoutCallback(callbacks, args.callbackId);
    s.version += 1;
    await transition(ACTIONS.callback, { agentId: args.agentId, eventType: 'CALLBACK_CANCELLED' }, changeOf('callback', args));
    return snapshot();
  }, { validator: (_args: CancelCallbackArgs) => refuse('callback') });

  setHandler(logCallUpdate, async (args) => {
    await transition(ACTIONS.logCall, { agentId: args.agentId, commentId: args.commentId, eventType: 'CALL_LOGGED', wrapUpCode: args.wrapUpCode }, changeOf('logCall', args));
    return snapshot();
  }, { validator: (_args: LogCallArgs) => refuse('logCall') });

  // A call the telephony connector reported: the history says it happened and how long it lasted.
  setHandler(phoneCallUpdate, async (args) => {
    await transition(ACTIONS.logCall, { agentId: args.agentId, eventType: 'APPEL_TELEPHONIQUE', callSeconds: args.seconds }, changeOf('logCall', args));
    return snapshot();
  }, { validator: (_args: PhoneCallArgs) => refuse('logCall') });

  /**
   * A callback's hour: marked due; given back to the agent who planned it when they asked
   * and are available (a reassignment by nobody), and they are told; otherwise the group is.
   */
  const fireCallback = async (callbackId: number, dueAt: number): Promise<void> => {
    callbacks = withoutCallback(callbacks, callbackId);
    const outcome = await db.callbackDue({ requestId, callbackId, at: Date.now(), timer: { kind: 'CALLBACK', dueAt } });
    if (outcome.to === 'none' || s.status === 'CLOTUREE') {
      return; // cancelled or moved meanwhile
    }
    const seq = await transition(ACTIONS.callback, { agentId: null, eventType: 'CALLBACK_DUE' }, {});
    if (outcome.to === 'agent') {
      if (s.assigneeId !== outcome.agentId) {
        await transition(ACTIONS.reassign, { agentId: null }, changeOf('reassign', { toAgentId: outcome.agentId }));
      }
      notifyInBackground('CALLBACK_DUE', `${reference}:CALLBACK_DUE:${callbackId}:${seq}`, outcome.agentId);
      return;
    }
    notifyInBackground('CALLBACK_DUE', `${reference}:CALLBACK_DUE:${callbackId}:${seq}`, 'agents');
  };
  // S'assigner: an untouched request is taken (TAKEN, as by take, no e-mail); one under
  // way whose assignee released it is only given back a holder (ASSIGNED), its status kept.
  setHandler(assignUpdate, async (args) => {
    if (s.status === 'NON_TRAITEE') {
      await transition(ACTIONS.take, args, changeOf('take', args), { takenAt: Date.now() });
    } else {
      await transition(ACTIONS.assign, { agentId: args.agentId, eventType: ASSIGNED }, changeOf('assign', args));
    }
    return snapshot();
  }, { validator: (_args: AssignArgs) => refuse('assign') });

  setHandler(releaseUpdate, async (args) => {
    await transition(ACTIONS.release, { agentId: args.agentId, eventType: RELEASED }, changeOf('release', args));
    return snapshot();
  }, { validator: (_args: ReleaseArgs) => refuse('release') });

  setHandler(closeUpdate, async (args) => {
    closingEmailId = args.emailId;
    await transition(ACTIONS.close, args, changeOf('close', args), { closedAt: Date.now() });
    return snapshot();
  }, { validator: (_args: CloseArgs) => refuse('close') });

  // Scinder: the split (workflows/split.ts) made the two new requests; the original closes, no closing notice (the split e-mails the citizen).
  setHandler(splitUpdate, async (args) => {
    await transition(SPLIT_STEP, args, changeOfStep(SPLIT_STEP, { closingCode: SPLIT_CLOSING_CODE, assigneeId: args.agentId }), { closedAt: Date.now() });
    return snapshot();
  }, { validator: (_args: SplitArgs) => refuse('annotate') }); // refused once closed, as an annotation is
  // Merging (workflows/merge.ts drives these): closed as a duplicate, the state before kept
  // to be restored by an undo; a merge's new request withdrawn while untouched.
  setHandler(mergeCloseUpdate, async (args) => {
    mergedInto = { mergeId: args.mergeId, prior: { status: s.status, assigneeId: s.assigneeId, holdUntil: s.holdUntil, waitingForCitizen: s.waitingForCitizen } };
    mergeSettlement = null;
    await transition(MERGE_STEPS.close, { agentId: args.agentId, commentId: args.commentId, eventType: 'MERGED_INTO' },
      changeOfStep(MERGE_STEPS.close, { closingCode: MERGED_CLOSING_CODE }), { closedAt: Date.now() });
    return snapshot();
  }, { validator: (_args) => refuse('annotate') });

  const refuseMerge = (refusal: ReturnType<typeof mergeRefusal>): void => {
    if (refusal) {
      throw ApplicationFailure.create({ type: refusal.code, message: refusal.code, details: [refusal], nonRetryable: true });
    }
  };
  setHandler(unmergeUpdate, async (args) => {
    const { prior } = mergedInto!;
    mergeSettlement = 'undone';
    await transition(MERGE_STEPS.unmerge, { agentId: args.agentId, eventType: 'MERGE_UNDONE' },
      { status: prior.status, assigneeId: prior.assigneeId, closingCode: null, holdUntil: prior.holdUntil, waitingForCitizen: prior.waitingForCitizen });
    return snapshot();
  }, { validator: (args) => refuseMerge(mergeRefusal('unmerge', { ...s, mergedInto, mergeSettlement, mergeId: args.mergeId })) });

  setHandler(mergeFinalSignal, ({ mergeId }) => {
    if (mergedInto?.mergeId === mergeId && mergeSettlement === null) {
      mergeSettlement = 'final';
    }
  });

  setHandler(withdrawMergedUpdate, async (args) => {
    withdrawingMerge = true;
    await transition(MERGE_STEPS.withdraw, { agentId: args.agentId, eventType: 'MERGE_UNDONE' },
      changeOfStep(MERGE_STEPS.withdraw, { closingCode: WITHDRAWN_CLOSING_CODE }), { closedAt: Date.now() });
    return snapshot();
  }, { validator: (_args) => refuseMerge(mergeRefusal('withdraw', { ...s, merged: merged !== null, mergeTouched, withdrawingMerge })) });

  const fire = async (kind: TimerKind, dueAt: number): Promise<void> => {
    const now = Date.now();
    const timer: TimerFired = { kind, dueAt };
    switch (kind) {
      case 'UNPROCESSED_REMINDER':
        s.lastUnprocessedReminderAt = now;
        notifyInBackground('REMINDER_UNPROCESSED', `${reference}:REMINDER_UNPROCESSED:${now}`, 'agents', 'NON_TRAITEE', timer);
        return;
      case 'DELETION_WARNING':
        s.deletionWarningSent = true;
        notifyInBackground('DELETION_WARNING', `${reference}:DELETION_WARNING`, 'agents', 'NON_TRAITEE', timer);
        return;
      case 'DELETION':
        await transition(TIMED_STEPS.expire, { agentId: null, timer }, changeOfStep(TIMED_STEPS.expire, { closingCode: 'EXPIRED' }), { closedAt: now });
        notifyInBackground('DELETION_NOTICE', `${reference}:DELETION_NOTICE`, 'agents');
        return;
      case 'IN_PROGRESS_REMINDER':
        s.lastInProgressReminderAt = now;
        if (s.assigneeId !== null) {
          notifyInBackground('REMINDER_IN_PROGRESS', `${reference}:REMINDER_IN_PROGRESS:${now}`, s.assigneeId, 'EN_COURS', timer);
        }
        return;
      case 'CONSULTATION_REMINDER': {
        const c = s.consultation!;
        c.lastReminderAt = now;
        notifyInBackground('CONSULTATION_REMINDER', `${reference}:CONSULTATION_REMINDER:${c.id}:${now}`, { groupId: c.toGroupId }, 'EN_ATTENTE', timer);
        return;
      }
      case 'HOLD_END': {
        await transition(TIMED_STEPS.holdEnd, { agentId: null, timer }, changeOfStep(TIMED_STEPS.holdEnd));
        if (s.assigneeId !== null) {
          notifyInBackground('HOLD_ENDED', `${reference}:HOLD_ENDED:${s.seq}`, s.assigneeId);
        }
        return;
      }
    }
  };

  // One step for the arrival (webhooks, the receipt if the web could not send it, the
  // agents' information), run inside the first workflow task (local-arrival): at intake peaks
  // every round trip to the Temporal server counts.
  // A merge's new request announces itself by the merge's own e-mail.
  const announcer = patched(PATCHES.localArrival) ? arrival : mail;
  background.push((merged ? Promise.resolve('announced' as const) : announcer.announceSubmission({ requestId, key: reference, ...(input.announce === false ? { announce: false } : {}) })).then(
    (outcome) => {
      if (outcome === 'withdrawn') {
        withdrawn = true;
        s.version += 1;
      }
    },
    () => undefined,
  ));

  for (;;) {
    while (s.status !== 'CLOTUREE' && !withdrawn) {
      const version = s.version;
      const due: ReturnType<typeof nextDeadline> | CallbackDeadline | null = earliest(deadline(), nextCallbackDeadline(callbacks));
      if (due === null) {
        await condition(() => s.version !== version);
        continue;
      }
      const wait = due.at - Date.now();
      if (patched(PATCHES.keepTimer)) {
        // Only a moved deadline (or the end) restarts the timer: an annotation leaves it running.
        const moved = () => withdrawn || s.status === 'CLOTUREE' || !sameDeadline(due, earliest(deadline(), nextCallbackDeadline(callbacks)));
        const woken = wait > 0 ? await condition(() => s.version !== version && moved(), wait) : false;
        if (!woken && !moved()) {
          await (due.kind === 'CALLBACK' ? fireCallback(due.callbackId, due.at) : fire(due.kind, due.at));
        }
        continue;
      }
      const changed = wait > 0 ? await condition(() => s.version !== version, wait) : false;
      if (!changed && s.version === version) {
        await (due.kind === 'CALLBACK' ? fireCallback(due.callbackId, due.at) : fire(due.kind, due.at));
      }
    }
    if (mergedInto === null) {
      break;
    }
    // Closed into a merge: kept whole until the merge is final (purged then) or undone (open again).
    await condition(() => mergeSettlement !== null);
    if (mergeSettlement === 'final') {
      break;
    }
    mergedInto = null;
    mergeSettlement = null;
  }

  // Closed: let running updates finish, send what is queued (the closing notice last),
  // and only then forget the citizen.
  await condition(allHandlersFinished);
  await Promise.all(background);
  if (withdrawn) {
    return;
  }
  if (patched(PATCHES.closeOut)) {
    await closeOut(closingEmailId);
    return;
  }
  if (closingEmailId !== null) {
    sendInBackground(closingEmailId);
    await Promise.all(background);
  }
  await db.purgePersonalData({ requestId, at: Date.now() });

  /** The closing notice, then the purge, in one activity; a notice given up is marked failed and the purge runs alone. */
  async function closeOut(emailId: number | null): Promise<void> {
    if (emailId === null) {
      await db.purgePersonalData({ requestId, at: Date.now() });
      return;
    }
    try {
      await mail.sendThenPurge({ emailId, requestId, at: Date.now() });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) {
        throw err;
      }
      await db.markEmailFailed({ emailId, error: String(err.cause?.message ?? err.message) });
      await db.purgePersonalData({ requestId, at: Date.now() });
    }
  }
}
