import type { Knex } from 'knex';

// The statistics of an agent of one group (or a few), every service (found by `npm run
// bench -- --only million`): the indexes of 20261203500000 start with the service, so a
// year of all services was read whole, one range per service, to keep one group's requests
// (each figure a scan of 600 000 index entries, 0.3 s; the page 1 s). These start with the
// group: a year of one group is one range of its own requests.
const INDEXES: [string, string[]][] = [
  ['requests_stats_group_created', ['group_id', 'created_at', 'service_id', 'form_type_id', 'channel']],
  ['requests_stats_group_taken', ['group_id', 'taken_at', 'service_id', 'form_type_id', 'created_at']],
  ['requests_stats_group_closed', ['group_id', 'closed_at', 'service_id', 'form_type_id', 'closing_code', 'created_at']],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    for (const [name, columns] of INDEXES) t.index(columns, name);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    for (const [name] of INDEXES) t.dropIndex([], name);
  });
}
