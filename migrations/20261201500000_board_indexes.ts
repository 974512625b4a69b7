import type { Knex } from 'knex';

// The supervisor's board (issue 13) counts today's events of a kind (TAKEN, CLOSED, and
// the calls' CALL_LOGGED) in its groups, every few seconds for every supervisor: without
// an index on (type, at) each refresh read the whole events table, which grows by several
// rows a request. (Its requests figures use the groups' indexes of 20261201000000_groups.)
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
