// The timers phase's setup: open requests written straight into the database (as the
// back-office bench does), then their workflows started by a bare Temporal client, many
// at once, each with delays that put its first reminder at its own due time.
import type { Client } from '@temporalio/client';
import { createAgent } from '../src/admin';
import type { Db } from '../src/db/connection';
import { DEFAULT_DELAYS, insertFormType } from '../src/db/formTypes';
import { insertService } from '../src/db/services';
import { COMMAND_LINE } from '../src/policies';
import { workflowIdOf, type RequestInput } from '../workflows/definitions';
import { requestWorkflow } from '../workflows/request';
import { seedRequests } from './backofficeSeed';

const DAY = 24 * 3600_000;

/** One request of the phase: its reference and when its reminder is due (epoch ms). */
export interface TimedRequest {
  id: number;
  reference: string;
  submittedAt: number;
  groupId: number | null;
  dueAt: number;
}

/**
 * A service of its own whose group has one agent: each reminder is then one e-mail, so
 * e-mails per second and reminders per second are the same figure. The agent has a
 * password: reminders go to activated agents only.
 */
export async function reminderService(db: Db): Promise<number> {
  const serviceId = await insertService(db, { slug: 'banc-rappels', name: 'Banc d’essai des rappels' });
  await createAgent(db, COMMAND_LINE, {
    code: 'banc-rappels', name: 'Agent des rappels', email: 'rappels@mairie.example', services: ['banc-rappels'], admin: false, password: 'banc-rappels-mot-de-passe',
  });
  return insertFormType(db, { slug: 'banc-rappels', title: 'Demande du banc d’essai', serviceId, delays: DEFAULT_DELAYS });
}

/** Writes `count` unprocessed requests of the form type; their due times spread evenly over the window, in id order. */
export async function seedTimedRequests(db: Db, formTypeId: number, count: number, window: { startAt: number; ms: number }): Promise<TimedRequest[]> {
  await seedRequests(db, { count, mix: 'unprocessed', formTypeIds: [formTypeId], batch: 2000 });
  const rows: { id: number; reference: string; created_at: number; group_id: number | null }[] = await db('requests')
    .where({ form_type_id: formTypeId }).orderBy('id').select('id', 'reference', 'created_at', 'group_id');
  return rows.map((r, i) => ({
    id: Number(r.id),
    reference: r.reference,
    submittedAt: Number(r.created_at),
    groupId: r.group_id === null ? null : Number(r.group_id),
    dueAt: window.startAt + Math.floor((i * window.ms) / rows.length),
  }));
}

/**
 * The workflow's input: the reminder falls at `dueAt`, the deletion a month later (never
 * within the bench), no deletion warning. No announcement: the phase measures the timers,
 * not the arrival work (the intake phase does).
 */
function inputOf(r: TimedRequest): RequestInput {
  const reminderMs = r.dueAt - r.submittedAt;
  return {
    requestId: r.id,
    reference: r.reference,
    submittedAt: r.submittedAt,
    delays: { ...DEFAULT_DELAYS, unprocessedReminderMs: reminderMs, reminderEveryMs: 30 * DAY, deletionMs: reminderMs + 30 * DAY, deletionWarningMs: 0 },
    groupId: r.groupId,
    announce: false,
  };
}

export interface StartOptions {
  taskQueue: string;
  /** starts in flight at once */
  concurrency: number;
  /** prefixed to the workflow ids: a shared cluster keeps the workflows of earlier runs */
  idPrefix: string;
  /** when the server may forget them: after the bench, on a cluster no one cleans up */
  expiresAt: number;
}

/** Starts every request's workflow, earliest due first; resolves with how many starts failed. */
export async function startTimedWorkflows(client: Client, requests: TimedRequest[], opts: StartOptions): Promise<number> {
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < requests.length) {
      const r = requests[next];
      next += 1;
      try {
        await client.workflow.start(requestWorkflow, {
          workflowId: `${opts.idPrefix}${workflowIdOf(r.reference)}`,
          taskQueue: opts.taskQueue,
          args: [inputOf(r)],
          workflowExecutionTimeout: Math.max(60_000, opts.expiresAt - Date.now()),
        });
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  return failed;
}
