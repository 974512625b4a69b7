import type { Knex } from 'knex';

// Priority of a request (issue 13): 1 haute, 2 moyenne, 3 basse, so that sorting the
// number ascending puts the most urgent first and an index can serve the sort. A form
// type has a default, given to the requests filed of it (moyenne until the administrator
// says otherwise); the requests filed before get their form type's, that is moyenne.
// A priority change's event keeps what it was and what it became.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('form_types', (t) => {
    t.tinyint('default_priority').notNullable().defaultTo(2);
  });
  await knex.schema.alterTable('requests', (t) => {
    t.tinyint('priority').notNullable().defaultTo(2);
  });
  await knex.schema.alterTable('events', (t) => {
    t.tinyint('priority_from').nullable();
    t.tinyint('priority_to').nullable();
  });
  // The lists read the open requests of the agent's services (status, service_id) in priority order.
  await knex.schema.alterTable('requests', (t) => {
    t.index(['status', 'service_id', 'priority', 'created_at'], 'requests_status_service_priority');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['status', 'service_id', 'priority', 'created_at'], 'requests_status_service_priority');
  });
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('priority_from');
    t.dropColumn('priority_to');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropColumn('priority');
  });
  await knex.schema.alterTable('form_types', (t) => {
    t.dropColumn('default_priority');
  });
}
