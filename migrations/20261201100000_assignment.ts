import type { Knex } from 'knex';

// Assignment (issue 13). `next_claims`: « Traiter la suivante » claims the request it is
// about to serve for a few seconds; its primary key is what makes two agents pressing at
// once pick different requests (the second one's insert fails, it tries the next). A
// claim is removed once served; a stale one (a crash between claim and assign) is ignored.
// `agents.open_assigns`: the agent's choice that opening an unassigned request assigns it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('next_claims', (t) => {
    t.bigInteger('request_id').notNullable().primary();
    t.integer('agent_id').notNullable();
    t.bigInteger('claimed_at').notNullable();
  });
  await knex.schema.alterTable('agents', (t) => {
    t.boolean('open_assigns').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('open_assigns');
  });
  await knex.schema.dropTable('next_claims');
}
