import type { Knex } from 'knex';

// Splitting a request (« Scinder », issue 14): one open request becomes two new ones, each
// with a copy of its thread. A split's row holds what the agent wrote (a message for each
// part and one for the original: free text, personal data, cleared as soon as it is posted
// as messages) and which requests it made; `active_original_id` is unique, so that one
// request is split at most once even when two agents press « Scinder » together.
// A copied message or file says from which request it came (`source_reference`, also added
// by the merge's migration: whichever runs first adds it).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('splits', (t) => {
    t.increments('id');
    t.integer('original_request_id').unsigned().notNullable().references('requests.id');
    // The original while the split is pending or done; null once refused (the request may be split again).
    t.integer('active_original_id').unsigned().nullable();
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    // PENDING, DONE, or REFUSED (nothing changed)
    t.string('status', 16).notNullable().defaultTo('PENDING');
    t.string('refusal', 64).nullable();
    t.text('original_message').nullable();
    // The visible message posted on the original (withdrawn if the split is refused).
    t.integer('original_message_id').unsigned().nullable();
    t.text('first_message').nullable();
    t.text('second_message').nullable();
    t.integer('first_request_id').unsigned().nullable().references('requests.id');
    t.integer('second_request_id').unsigned().nullable().references('requests.id');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('finished_at').nullable();
    t.unique(['active_original_id'], { indexName: 'splits_active_original' });
    t.index(['original_request_id'], 'splits_original');
    t.index(['first_request_id'], 'splits_first');
    t.index(['second_request_id'], 'splits_second');
  });
  for (const table of ['messages', 'attachments']) {
    if (!(await knex.schema.hasColumn(table, 'source_reference'))) {
      await knex.schema.alterTable(table, (t) => {
        t.string('source_reference', 64).nullable();
      });
    }
  }
  // Set by the split only (system), as EXPIRED is by the deletion timer.
  await knex('closing_codes').insert({ code: 'SCINDEE', label: 'Scindée en deux demandes', system: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex('closing_codes').where({ code: 'SCINDEE' }).delete();
  for (const table of ['attachments', 'messages']) {
    if (await knex.schema.hasColumn(table, 'source_reference')) {
      await knex.schema.alterTable(table, (t) => {
        t.dropColumn('source_reference');
      });
    }
  }
  await knex.schema.dropTable('splits');
}
