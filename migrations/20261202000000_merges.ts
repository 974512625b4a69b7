import type { Knex } from 'knex';

// Merging requests (« Fusionner », issue 14). A merge gathers several open requests of one
// citizen into a new one; its rows say which requests, in what state each was before (so
// that « Annuler la fusion » restores it), and how it ended. A copied message or form file
// says which request it came from (its reference, not personal).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('merges', (t) => {
    t.increments('id');
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.integer('new_request_id').unsigned().nullable().references('requests.id');
    // PENDING, DONE, FAILED (refused on the way: nothing changed), UNDONE
    t.string('status', 16).notNullable().defaultTo('PENDING');
    t.string('refusal', 64).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('done_at').nullable();
    t.bigInteger('undone_at').nullable();
    t.index(['new_request_id'], 'merges_new_request');
  });
  await knex.schema.createTable('merge_sources', (t) => {
    t.integer('merge_id').unsigned().notNullable().references('merges.id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('position').notNullable();
    t.primary(['merge_id', 'request_id']);
    t.index(['request_id'], 'merge_sources_request');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.string('source_reference', 64).nullable();
  });
  await knex.schema.alterTable('attachments', (t) => {
    t.string('source_reference', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attachments', (t) => {
    t.dropColumn('source_reference');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('source_reference');
  });
  await knex.schema.dropTable('merge_sources');
  await knex.schema.dropTable('merges');
}
