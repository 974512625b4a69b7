// The timers phase's setup: open requests written straight into the database (as the
// back-office bench does), each filed so that its first reminder falls at its own due time,
// then their workflows started by a bare Temporal client, many at once.
import type { Client } from '@temporalio/client';
import { createAgent } from '../src/admin';
import type { Db } from '../src/db/connection';
import { DEFAULT_DELAYS, delayColumns, insertFormType } from '../src/db/formTypes';
import { refreshDeadlines } from '../src/db/deadlines';
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

/** The form type's delay before the first reminder: each request is filed that long before its reminder's due time. */
const REMINDER_DELAY = DAY;

/**
 * Writes `count` unprocessed requests of the form type, their reminders due evenly over the
 * window in id order: each filed a day before its due time, under the form type's own delays
 * (first reminder after a day, the next a month later, deletion after two months). Their
 * reminders are the sweep's (src/reminders/sweeper.ts), computed on their rows as for any request.
 */
export async function seedTimedRequests(db: Db, formTypeId: number, count: number, window: { startAt: number; ms: number }): Promise<TimedRequest[]> {
  await db('form_types').where({ id: formTypeId }).update(delayColumns(TIMED_DELAYS));
  await seedRequests(db, { count, mix: 'unprocessed', formTypeIds: [formTypeId], batch: 2000 });
  const ids: { id: number }[] = await db('requests').where({ form_type_id: formTypeId }).orderBy('id').select('id');
  const first = Number(ids[0].id);
  if (Number(ids[ids.length - 1].id) - first !== ids.length - 1) {
    throw new Error('timers: the seeded ids are not consecutive');
  }
  // due = start + floor(i × window / n), i the rank of the id; filed a day before.
  const filed = `${window.startAt - REMINDER_DELAY} + FLOOR((id - ${first}) * ${window.ms} / ${ids.length})`;
  await db('requests').where({ form_type_id: formTypeId }).update({ created_at: db.raw(filed), status_since: db.raw(filed), updated_at: db.raw(filed), reminders_swept: true, reminded_at: null });
  await refreshDeadlines(db, (q) => q.where({ form_type_id: formTypeId }));
  const rows: { id: number; reference: string; created_at: number; group_id: number | null; reminder_at: number }[] = await db('requests')
    .where({ form_type_id: formTypeId }).orderBy('id').select('id', 'reference', 'created_at', 'group_id', 'reminder_at');
  return rows.map((r) => ({
    id: Number(r.id),
    reference: r.reference,
    submittedAt: Number(r.created_at),
    groupId: r.group_id === null ? null : Number(r.group_id),
    dueAt: Number(r.reminder_at),
  }));
}

/** Moves the requests' filing, hence their reminders, `shiftMs` later (the window opens once the setup is quiet). */
export async function shiftTimedRequests(db: Db, formTypeId: number, requests: TimedRequest[], shiftMs: number): Promise<TimedRequest[]> {
  const later = (column: string) => db.raw('?? + ?', [column, Math.round(shiftMs)]);
  await db('requests').where({ form_type_id: formTypeId }).update({ created_at: later('created_at'), status_since: later('status_since'), updated_at: later('updated_at') });
  await refreshDeadlines(db, (q) => q.where({ form_type_id: formTypeId }));
  const due = new Map((await db('requests').where({ form_type_id: formTypeId }).select('id', 'reminder_at')).map((r: { id: number; reminder_at: number }) => [Number(r.id), Number(r.reminder_at)]));
  return requests.map((r) => ({ ...r, submittedAt: r.submittedAt + Math.round(shiftMs), dueAt: due.get(r.id)! }));
}

const TIMED_DELAYS = { ...DEFAULT_DELAYS, unprocessedReminderMs: REMINDER_DELAY, reminderEveryMs: 30 * DAY, deletionMs: 60 * DAY };

/** The workflow's input: as filed, under the form type's delays. No announcement: the phase measures the timers, not the arrival work. */
function inputOf(r: TimedRequest): RequestInput {
  return { requestId: r.id, reference: r.reference, submittedAt: r.submittedAt, delays: TIMED_DELAYS, groupId: r.groupId, announce: false };
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
