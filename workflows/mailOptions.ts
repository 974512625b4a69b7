import type { ActivityOptions } from '@temporalio/workflow';

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
