import type { Knex } from 'knex';

// Messages between agents and the citizen on a request: visible to the citizen (e-mailed
// with a secure link, shown on the tracking page) or internal notes. Their bodies are
// personal data: the purge deletes the rows.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.string('author', 8).notNullable(); // AGENT | CITIZEN
    t.integer('agent_id').unsigned().nullable().references('agents.id');
    t.boolean('visible').notNullable(); // false: an internal note
    t.boolean('final').notNullable().defaultTo(false);
    t.text('body').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['request_id', 'created_at']);
  });
  await knex.schema.alterTable('requests', (t) => {
    // New citizen messages no agent has opened yet (the unread marker of the lists).
    t.integer('citizen_unread').notNullable().defaultTo(0);
    // Put on hold waiting for the citizen: their answer brings it back to EN_COURS.
    t.boolean('waiting_for_citizen').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropColumn('citizen_unread');
    t.dropColumn('waiting_for_citizen');
  });
  await knex.schema.dropTableIfExists('messages');
}
