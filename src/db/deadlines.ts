// A request's next deadline (`due_at`: its deletion while unprocessed, its reminder while in
// progress, the end of its hold), its reminder's (`remind_at`: past it, the request is late)
// and its next reminder to send (`reminder_at`, for the sweep), kept on its row: the lists
// sort and filter them from an index, where computing them from the form type's delays made
// every list sorted by due date read each open request of the agent's groups (3 s on the
// home page of an agent of every service, at a million requests). Written with the
// projection, in the same transaction; a form type's new delays are written on its open
// requests at once (src/db/formTypes.ts).
import type { Knex } from 'knex';

const delay = (column: string) => `(SELECT f.${column} FROM form_types f WHERE f.id = requests.form_type_id)`;

// Read on the row as it is once written; the column names are unqualified, as an UPDATE of `requests` reads them.
export const DUE_SQL = `CASE status
  WHEN 'NON_TRAITEE' THEN created_at + ${delay('deletion_ms')}
  WHEN 'EN_COURS' THEN COALESCE(status_since, updated_at) + ${delay('in_progress_reminder_ms')}
  WHEN 'EN_ATTENTE' THEN hold_until
  ELSE NULL END`;

export const REMIND_SQL = `CASE status
  WHEN 'NON_TRAITEE' THEN created_at + ${delay('unprocessed_reminder_ms')}
  WHEN 'EN_COURS' THEN COALESCE(status_since, updated_at) + ${delay('in_progress_reminder_ms')}
  ELSE NULL END`;

/**
 * The next reminder the sweep sends (src/reminders/sweeper.ts), for the requests whose
 * workflow leaves its reminders to it: unprocessed, the first one after the form type's
 * delay, then one every « relance » delay after the last, none from the deletion on; in
 * progress, one every in-progress delay after the last one (or the start of the work).
 * The rules of workflows/lifecycle.ts (nextDeadline), which the older workflows still follow.
 */
export const REMINDER_SQL = `CASE WHEN reminders_swept = 0 THEN NULL ELSE CASE status
  WHEN 'NON_TRAITEE' THEN CASE
    WHEN COALESCE(reminded_at + ${delay('reminder_every_ms')}, created_at + ${delay('unprocessed_reminder_ms')}) < created_at + ${delay('deletion_ms')}
    THEN COALESCE(reminded_at + ${delay('reminder_every_ms')}, created_at + ${delay('unprocessed_reminder_ms')})
    ELSE NULL END
  WHEN 'EN_COURS' THEN COALESCE(reminded_at, status_since, updated_at) + ${delay('in_progress_reminder_ms')}
  ELSE NULL END END`;

/** The statuses whose requests always have a due date (an unprocessed one is deleted, one in progress reminded). */
export const ALWAYS_DUE = ['NON_TRAITEE', 'EN_COURS'] as const;

/**
 * The two columns as an UPDATE of `requests` computes them. Not in the same UPDATE as the
 * columns they are made of: MySQL reads a column set earlier in the statement as set, SQLite
 * as it was.
 */
export const deadlineValues = (db: Knex | Knex.Transaction) => ({ due_at: db.raw(DUE_SQL), remind_at: db.raw(REMIND_SQL), reminder_at: db.raw(REMINDER_SQL) });

/** Writes the deadlines of the requests `scope` selects, from their row and their form type as they are now. */
export async function refreshDeadlines(db: Knex | Knex.Transaction, scope: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<void> {
  await scope(db('requests')).update(deadlineValues(db));
}
