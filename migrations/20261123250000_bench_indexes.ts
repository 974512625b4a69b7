import type { Knex } from 'knex';

// Found by `npm run bench` with 100 000 requests on MariaDB: the counts of every page's
// nav (requests of the agent's services by status) read the (status, created_at) index
// in order and fetched each row for its service — 130 ms for 100 000 rows. With
// (status, service_id) the count reads the index alone: 13 ms.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.index(['status', 'service_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['status', 'service_id']);
  });
}
