import type { Knex } from 'knex';

// The supervisor's board (issue 13) counts today's events of a kind (TAKEN, CLOSED, and
// the calls' CALL_LOGGED) in its groups: without an index on (type, at) each refresh of
// every board read the whole events table, which grows by several rows a request.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.index(['type', 'at'], 'events_type_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['type', 'at'], 'events_type_at');
  });
}
