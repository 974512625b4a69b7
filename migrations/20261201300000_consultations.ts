import type { Knex } from 'knex';

// Consulting an expert group (issue 13): an agent asks another group's opinion on a
// request, which waits (EN_ATTENTE) until one of the group's members answers or the
// question is withdrawn. The question and the answer are comments of the request (free
// text, personal data: removed with the request's comments at its purge), referred to by id.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('consultations', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('from_group_id').unsigned().nullable().references('groups.id');
    t.integer('to_group_id').unsigned().notNullable().references('groups.id');
    t.integer('asked_by').unsigned().notNullable().references('agents.id');
    t.integer('question_comment_id').unsigned().nullable();
    // PENDING, ANSWERED or WITHDRAWN
    t.string('status', 16).notNullable().defaultTo('PENDING');
    t.bigInteger('asked_at').notNullable();
    t.integer('answered_by').unsigned().nullable().references('agents.id');
    t.bigInteger('answered_at').nullable();
    t.integer('answer_comment_id').unsigned().nullable();
    // The experts' queue: the pending consultations of a group, oldest first.
    t.index(['to_group_id', 'status', 'asked_at'], 'consultations_group_status');
    t.index(['request_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('consultations');
}
