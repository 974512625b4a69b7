import type { Knex } from 'knex';

// The statistics page's daily aggregates (src/db/statisticsDays.ts): per Paris day and scope
// (service, group, form type, channel), the requests received, taken, closed and expired
// that day, and those closed with or without a code (the daily chart's « clôturées »). Rebuilt whole by the workers (STATISTICS_REFRESH_MINUTES); the page reads them
// for the whole days before the last rebuild's day, and the requests themselves for the rest.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('statistics_days', (t) => {
    /** days since 1970-01-01 on Paris's calendar */
    t.integer('day').notNullable();
    t.integer('service_id').notNullable();
    t.integer('group_id').notNullable();
    t.integer('form_type_id').notNullable();
    t.string('channel', 16).notNullable();
    t.integer('received').notNullable();
    t.integer('taken').notNullable();
    t.integer('closed').notNullable();
    t.integer('expired').notNullable();
    t.integer('ended').notNullable();
    // A year of one service is one range, read without the table.
    t.index(['service_id', 'day', 'group_id', 'form_type_id', 'channel', 'received', 'taken', 'closed', 'expired', 'ended'], 'statistics_days_scope');
  });
  // One row: the days before `until_day` are in statistics_days, as the requests were at `computed_at`.
  await knex.schema.createTable('statistics_days_state', (t) => {
    t.integer('id').primary();
    t.integer('until_day').notNullable();
    t.bigInteger('computed_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('statistics_days_state');
  await knex.schema.dropTable('statistics_days');
}
