import type { Knex } from 'knex';

// The reminders' outbox (src/reminders/sweeper.ts): a reminder's e-mails are recorded with
// its settling, in one transaction, and sent afterwards by the sweep's delivery loop.
// `retry_at`, on the e-mails that loop owns: when to try (again); a lease while an attempt
// runs; null once sent or given up, and on every e-mail an activity sends.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('emails', (t) => {
    t.bigInteger('retry_at').nullable();
    t.index(['retry_at'], 'emails_outbox');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('emails', (t) => {
    t.dropIndex([], 'emails_outbox');
    t.dropColumn('retry_at');
  });
}
