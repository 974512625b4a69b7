import { Context } from '@temporalio/activity';
import { observeTimer } from '../ops/metrics';
import type { TimerFired } from './types';

/**
 * An activity a workflow timer fired: how late it runs after the timer's due time (the
 * timer's own delay on the Temporal server, then the task's wait for a worker). Only the
 * first attempt counts: a retry's wait is the retry policy's, not the timer's.
 */
export function observeTimerFired(timer: TimerFired | undefined): void {
  if (timer) {
    observeTimer(timer.kind, timer.dueAt, Context.current().info.attempt);
  }
}
