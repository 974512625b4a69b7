import type { Knex } from 'knex';

// The statistics page counts, for a period, the requests received, taken and closed in
// it (src/db/statistics.ts). Each of these indexes starts with the service and the date a
// figure is counted by, and holds every other column that figure reads: a year of one
// service is one range of the index, all services one range per service, read without
// touching the table.
const INDEXES: [string, string[]][] = [
  ['requests_stats_created', ['service_id', 'created_at', 'group_id', 'form_type_id', 'channel']],
  ['requests_stats_taken', ['service_id', 'taken_at', 'group_id', 'form_type_id', 'created_at']],
  ['requests_stats_closed', ['service_id', 'closed_at', 'group_id', 'form_type_id', 'closing_code', 'created_at']],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    for (const [name, columns] of INDEXES) t.index(columns, name);
  });
  // The reminders sent in the period.
  await knex.schema.alterTable('emails', (t) => {
    t.index(['status', 'sent_at'], 'emails_status_sent_at');
  });
  // The holds and calls of the period: their requests are found without reading the events.
  await knex.schema.alterTable('events', (t) => {
    t.index(['type', 'at', 'request_id'], 'events_type_at_request');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['type', 'at', 'request_id'], 'events_type_at_request');
  });
  await knex.schema.alterTable('emails', (t) => {
    t.dropIndex(['status', 'sent_at'], 'emails_status_sent_at');
  });
  await knex.schema.alterTable('requests', (t) => {
    for (const [name, columns] of INDEXES) t.dropIndex(columns, name);
  });
}
