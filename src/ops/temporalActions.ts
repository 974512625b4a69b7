// The Temporal actions of one workflow execution, read from its real history: what a request
// costs the Temporal server (and a hosted Temporal's bill, which counts actions).
import { temporal } from '@temporalio/proto';

const T = temporal.api.enums.v1.EventType;

export interface ActionCount {
  /** workflow tasks scheduled (each a round trip worker ↔ server) */
  workflowTasks: number;
  /** activity tasks scheduled (retries are attempts of the same one) */
  activities: number;
  /** local activities (markers): run inside a workflow task, no task of their own */
  localActivities: number;
  timers: number;
  /** signals received and sent */
  signals: number;
  /** updates accepted */
  updates: number;
  /** every event of the history */
  events: number;
}

export const ACTION_KINDS: readonly (keyof ActionCount)[] = ['workflowTasks', 'activities', 'localActivities', 'timers', 'signals', 'updates', 'events'];

/** A history's events as the client returns them (fetchHistory) or as JSON (tests/histories). */
type HistoryLike = { events?: { eventType?: unknown; markerRecordedEventAttributes?: { markerName?: string | null } | null }[] | null };

/** The event type as a number, from the enum value or its name (a JSON history spells it). */
function typeOf(event: { eventType?: unknown }): number {
  const raw = event.eventType;
  return typeof raw === 'string' ? (T as unknown as Record<string, number>)[raw] : Number(raw);
}

export function countActions(history: HistoryLike): ActionCount {
  const count: ActionCount = { workflowTasks: 0, activities: 0, localActivities: 0, timers: 0, signals: 0, updates: 0, events: 0 };
  for (const event of history.events ?? []) {
    count.events += 1;
    switch (typeOf(event)) {
      case T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: count.workflowTasks += 1; break;
      case T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: count.activities += 1; break;
      case T.EVENT_TYPE_TIMER_STARTED: count.timers += 1; break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      case T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: count.signals += 1; break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: count.updates += 1; break;
      case T.EVENT_TYPE_MARKER_RECORDED:
        if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') count.localActivities += 1;
        break;
      default: break;
    }
  }
  return count;
}

/** The activity types scheduled, in order: what the README's table explains. */
export function activitiesOf(history: { events?: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null }[] | null }): string[] {
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}
