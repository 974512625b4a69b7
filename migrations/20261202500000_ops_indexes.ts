import type { Knex } from 'knex';

// /metrics counts the outbox by status and finds its oldest unsent e-mail, and counts the
// pending and failed webhook deliveries, on every scrape: on these indexes each is a range
// of the index, not a read of the whole table.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('emails', (t) => {
    t.index(['status', 'created_at'], 'emails_status_created_at_index');
  });
  await knex.schema.alterTable('webhook_deliveries', (t) => {
    t.index(['status', 'created_at'], 'webhook_deliveries_status_created_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_deliveries', (t) => {
    t.dropIndex(['status', 'created_at'], 'webhook_deliveries_status_created_at_index');
  });
  await knex.schema.alterTable('emails', (t) => {
    t.dropIndex(['status', 'created_at'], 'emails_status_created_at_index');
  });
}
