import type { Knex } from 'knex';

// An agent's presence (Disponible, Occupé, Absent, Pause, Réunion, Formation, as in the
// Genesys guide) and since when, on the agent; every change, with who made it and when, in
// presence_changes. Everyone starts Disponible, since the migration.
export async function up(knex: Knex): Promise<void> {
  const now = Date.now();
  await knex.schema.alterTable('agents', (t) => {
    t.string('presence', 16).notNullable().defaultTo('DISPONIBLE');
    t.bigInteger('presence_since').notNullable().defaultTo(0);
  });
  await knex('agents').update({ presence_since: now });
  await knex.schema.createTable('presence_changes', (t) => {
    t.increments('id');
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.string('presence', 16).notNullable();
    t.integer('set_by_agent_id').unsigned().nullable().references('agents.id');
    t.bigInteger('at').notNullable();
    t.index(['agent_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('presence_changes');
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('presence_since');
    t.dropColumn('presence');
  });
}
