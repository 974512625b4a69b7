import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

// How a workflow sends its e-mails (the request's, the merge's). An SMTP server may be down
// for a while; after about a day the e-mail is marked failed. The e-mail activities beat
// every second, so a worker killed mid-send is noticed after 5 s; an attempt that outlives
// its timeouts cannot commit (the outbox fences on its attempt number), so the retry may
// start at once without risking a second copy.
export const MAIL_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 60 },
};

/**
 * The reminders (and the deletion warning) go through a task queue of their own,
 * beside the workflow's: a burst of timers due together (a deadline shared by thousands of
 * requests) waits there, durably, and its e-mails leave no faster than the worker's
 * REMINDERS_PER_SECOND (maxTaskQueueActivitiesPerSecond), which SMTP servers would
 * otherwise throttle; the receipts and the agents' own actions keep the main queue.
 */
export const remindersQueueOf = (taskQueue: string): string => `${taskQueue}-reminders`;

/**
 * patched() id: from this version on, timers' e-mails use the reminders' queue and a
 * closing request no longer waits for them (one still queued then is dropped with the
 * workflow: it would have found the request closed and sent nothing).
 */
export const PACED_REMINDERS = 'paced-reminders';

/**
 * The arrival work (receipt, agents' information, webhooks' start) runs in the workflow's
 * first task, as a local activity: at intake peaks each request then costs the Temporal
 * server one workflow task instead of two tasks and an activity. Retried in the worker up
 * to the threshold, then by a durable timer as an activity would be; no heartbeats (the
 * workflow task's own keep it alive), so a worker killed mid-send is noticed after the
 * workflow task's timeout.
 */
export const ARRIVAL_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  localRetryThreshold: '1 minute',
  retry: MAIL_ACTIVITY_OPTIONS.retry,
};
