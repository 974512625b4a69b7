import type { Knex } from 'knex';

// Callbacks and calls (issue 13). An agent plans a callback on an open request: when, to
// which number, and whether the request should come back to them. The request's workflow
// holds its timer (ids and times only: the number stays here, purged with the request).
// After a call the agent records its outcome with a wrap-up code, a list the
// administrator keeps like the closing codes; the CALL_LOGGED event carries the code.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('callbacks', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('group_id').unsigned().notNullable().references('groups.id');
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.bigInteger('due_at').notNullable();
    t.string('phone', 32).nullable();
    t.boolean('reassign_to_me').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().defaultTo('PLANNED');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('fired_at').nullable();
    t.bigInteger('done_at').nullable();
    t.integer('moved_by_agent_id').unsigned().nullable().references('agents.id');
    t.index(['group_id', 'status', 'due_at'], 'callbacks_group_status_due');
    t.index(['request_id'], 'callbacks_request');
  });
  await knex.schema.createTable('wrap_up_codes', (t) => {
    t.string('code', 64).primary();
    t.string('label', 200).notNullable();
  });
  await knex('wrap_up_codes').insert([
    { code: 'JOINT', label: 'Joint' },
    { code: 'PAS_DE_REPONSE', label: 'Pas de réponse' },
    { code: 'OCCUPE', label: 'Occupé' },
    { code: 'MAUVAIS_NUMERO', label: 'Mauvais numéro' },
    { code: 'RAPPEL_PLANIFIE', label: 'Rappel planifié' },
  ]);
  await knex.schema.alterTable('events', (t) => {
    t.string('wrap_up_code', 64).nullable();
    t.index(['type', 'at'], 'events_type_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['type', 'at'], 'events_type_at');
    t.dropColumn('wrap_up_code');
  });
  await knex.schema.dropTable('wrap_up_codes');
  await knex.schema.dropTable('callbacks');
}
