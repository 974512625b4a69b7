// The patch ids of the request workflow (patched()): each marks a change of the commands a
// request's workflow sends. A workflow started before a change replays its history on the
// old path and takes the new one from its next step run live; new workflows take it at once.
// A patch id stays as long as workflows started before it may be running.
export const PATCHES = {
  /** The timer of the next deadline is kept while the deadline stays (an annotation, a priority…) instead of being cancelled and started again. */
  keepTimer: 'keep-timer',
  /** The closing notice and the purge behind it in one activity. */
  closeOut: 'close-out',
  /** The arrival work (announceSubmission) as a local activity: no activity task, no second workflow task. */
  localArrival: 'local-arrival',
  /**
   * The reminders of an unprocessed or in-progress request are sent by the sweep
   * (src/reminders/sweeper.ts) from the request's row: no timer, no workflow task each.
   */
  sweptReminders: 'swept-reminders',
} as const;
