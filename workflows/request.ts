// One workflow per request, id `request-<reference>`: the authority on its status.
// Updates change the state synchronously, before their first await, so that of two
// agents taking at once the second one's validator already sees EN_COURS.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../src/activities/types';
import type { EmailKind } from '../src/db/emails';
import type { Projection } from '../src/db/transitions';
import {
  annotateUpdate,
  assignUpdate,
  closeUpdate,
  delaysChangedSignal,
  holdUpdate,
  prioritizeUpdate,
  reassignUpdate,
  releaseUpdate,
  resumeUpdate,
  stateQuery,
  takeUpdate,
  type AnnotateArgs,
  type AssignArgs,
  type CloseArgs,
  type HoldArgs,
  type PriorityRank,
  type RequestInput,
  type ReleaseArgs,
  type ResumeArgs,
  type TakeArgs,
  type RequestState,
  type Status,
} from './definitions';
import { ACTIONS, ASSIGNED, changeOf, PRIORITY_CHANGED, RELEASED, changeOfStep, nextDeadline, refusalOf, TIMED_STEPS, type Action, type Change, type Step, type TimerKind, type TimerState } from './lifecycle';

// Database writes take milliseconds: after a worker dies (kill -9, no heartbeat) the one it
// was running is retried once this timeout expires, and the purge waits behind it.
const db = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// An SMTP server may be down for a while; after about a day the e-mail is marked failed.
// The e-mail activities beat every second, so a worker killed mid-send is noticed after
// 5 s; an attempt that outlives its timeouts cannot commit (the outbox fences on its
// attempt number), so the retry may start at once without risking a second copy.
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 60 },
});

export async function requestWorkflow(input: RequestInput): Promise<void> {
  const { requestId, reference } = input;
  const s: TimerState & RequestState & { version: number; priority: PriorityRank | null } = {
    status: 'NON_TRAITEE',
    priority: input.priority ?? null,
    assigneeId: null,
    closingCode: null,
    holdUntil: null,
    waitingForCitizen: false,
    seq: 1, // event 1 (SUBMITTED) is written with the request itself
    delays: input.delays,
    submittedAt: input.submittedAt,
    lastUnprocessedReminderAt: null,
    deletionWarningSent: false,
    inProgressSince: null,
    lastInProgressReminderAt: null,
    version: 0,
  };
  const background: Promise<void>[] = [];
  let closingEmailId: number | null = null;
  // The filing was undone (its rows removed after an ambiguous start): nothing to run.
  let withdrawn = false;

  const snapshot = (): RequestState => ({
    status: s.status,
    assigneeId: s.assigneeId,
    closingCode: s.closingCode,
    holdUntil: s.holdUntil,
    waitingForCitizen: s.waitingForCitizen,
    seq: s.seq,
    delays: s.delays,
    priority: s.priority,
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
    by: { agentId: number | null; commentId?: number | null; emailId?: number | null; eventType?: string; priorityFrom?: PriorityRank },
    change: Change,
    extra: Partial<Projection> = {},
  ): Promise<number> => {
    const at = Date.now();
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

  const notifyInBackground = (kind: EmailKind, key: string, to: 'agents' | number, onlyIfStatus?: Status): void => {
    const job = to === 'agents'
      ? mail.notifyAgents({ requestId, kind, key, onlyIfStatus })
      : mail.notifyAgent({ requestId, kind, key, agentId: to, onlyIfStatus });
    background.push(job.catch(() => undefined)); // a reminder that could not go out must not stop the request
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

  const fire = async (kind: TimerKind): Promise<void> => {
    const now = Date.now();
    switch (kind) {
      case 'UNPROCESSED_REMINDER':
        s.lastUnprocessedReminderAt = now;
        notifyInBackground('REMINDER_UNPROCESSED', `${reference}:REMINDER_UNPROCESSED:${now}`, 'agents', 'NON_TRAITEE');
        return;
      case 'DELETION_WARNING':
        s.deletionWarningSent = true;
        notifyInBackground('DELETION_WARNING', `${reference}:DELETION_WARNING`, 'agents', 'NON_TRAITEE');
        return;
      case 'DELETION':
        await transition(TIMED_STEPS.expire, { agentId: null }, changeOfStep(TIMED_STEPS.expire, { closingCode: 'EXPIRED' }), { closedAt: now });
        notifyInBackground('DELETION_NOTICE', `${reference}:DELETION_NOTICE`, 'agents');
        return;
      case 'IN_PROGRESS_REMINDER':
        s.lastInProgressReminderAt = now;
        if (s.assigneeId !== null) {
          notifyInBackground('REMINDER_IN_PROGRESS', `${reference}:REMINDER_IN_PROGRESS:${now}`, s.assigneeId, 'EN_COURS');
        }
        return;
      case 'HOLD_END': {
        await transition(TIMED_STEPS.holdEnd, { agentId: null }, changeOfStep(TIMED_STEPS.holdEnd));
        if (s.assigneeId !== null) {
          notifyInBackground('HOLD_ENDED', `${reference}:HOLD_ENDED:${s.seq}`, s.assigneeId);
        }
        return;
      }
    }
  };

  // One activity for the receipt and the agents' information: at intake peaks every
  // round trip to the Temporal server counts.
  background.push(mail.announceSubmission({ requestId, key: reference }).then(
    (outcome) => {
      if (outcome === 'withdrawn') {
        withdrawn = true;
        s.version += 1;
      }
    },
    () => undefined,
  ));

  while (s.status !== 'CLOTUREE' && !withdrawn) {
    const version = s.version;
    const due = nextDeadline(s);
    if (due === null) {
      await condition(() => s.version !== version);
      continue;
    }
    const wait = due.at - Date.now();
    const changed = wait > 0 ? await condition(() => s.version !== version, wait) : false;
    if (!changed && s.version === version) {
      await fire(due.kind);
    }
  }

  // Closed: let running updates finish, send what is queued (the closing notice last),
  // and only then forget the citizen.
  await condition(allHandlersFinished);
  await Promise.all(background);
  if (withdrawn) {
    return;
  }
  if (closingEmailId !== null) {
    sendInBackground(closingEmailId);
    await Promise.all(background);
  }
  await db.purgePersonalData({ requestId, at: Date.now() });
}
