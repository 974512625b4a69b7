import type { Knex } from 'knex';

// A bulk action (take, close, reassign) over many requests: the job, and one row per
// request with its outcome. Ids and codes only: nothing personal.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bulk_jobs', (t) => {
    t.increments('id');
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.string('action', 16).notNullable(); // take | close | reassign
    t.string('closing_code', 64).nullable();
    t.integer('target_agent_id').unsigned().nullable().references('agents.id');
    t.boolean('notify_citizen').notNullable().defaultTo(false);
    t.integer('total').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('finished_at').nullable();
  });
  await knex.schema.createTable('bulk_items', (t) => {
    t.increments('id');
    t.integer('job_id').unsigned().notNullable().references('bulk_jobs.id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('position').notNullable();
    t.string('outcome', 16).notNullable().defaultTo('PENDING'); // PENDING | OK | REFUSED
    t.string('message', 500).nullable();
    t.bigInteger('done_at').nullable();
    t.unique(['job_id', 'request_id']);
    t.index(['job_id', 'outcome']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('bulk_items');
  await knex.schema.dropTableIfExists('bulk_jobs');
}
