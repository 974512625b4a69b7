import type { Knex } from 'knex';

// The reminders swept from the database (src/reminders/sweeper.ts) instead of one workflow
// timer each: `reminder_at`, the next reminder to send (src/db/deadlines.ts), indexed for the
// sweep; `reminded_at`, when the last one of the current status went (null: none yet);
// `reminders_swept`, set on the requests whose workflow leaves its reminders to the sweep
// (filed from this version on): the requests filed before keep their workflow's timers.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.boolean('reminders_swept').notNullable().defaultTo(false);
    t.bigInteger('reminded_at').nullable();
    t.bigInteger('reminder_at').nullable();
    t.index(['reminder_at'], 'requests_reminder_sweep');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex([], 'requests_reminder_sweep');
    t.dropColumn('reminder_at');
    t.dropColumn('reminded_at');
    t.dropColumn('reminders_swept');
  });
}
