import type { Knex } from 'knex';

// Partners: which form types a partner key may use, the webhooks a partner registered,
// and one delivery row per (webhook, request, event). Ids, codes and statuses only:
// a delivery carries nothing personal, so the purge has nothing to do here.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('partner_scopes', (t) => {
    t.integer('token_id').unsigned().notNullable().references('api_tokens.id');
    t.integer('form_type_id').unsigned().notNullable().references('form_types.id');
    t.primary(['token_id', 'form_type_id']);
    t.index(['form_type_id']);
  });
  await knex.schema.createTable('webhooks', (t) => {
    t.increments('id');
    t.integer('token_id').unsigned().notNullable().references('api_tokens.id');
    t.string('url', 2000).notNullable();
    // Kept in clear: it keys the HMAC of every delivery (shown to the partner once).
    t.string('secret', 100).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('deleted_at').nullable();
    t.index(['token_id']);
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.increments('id');
    t.integer('webhook_id').unsigned().notNullable().references('webhooks.id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('seq').notNullable();
    t.string('event', 32).notNullable();
    t.text('payload').notNullable(); // the JSON body without its id
    t.string('status', 16).notNullable().defaultTo('PENDING'); // PENDING | DELIVERED | FAILED | CANCELLED
    t.boolean('workflow_started').notNullable().defaultTo(false);
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('last_status').nullable(); // HTTP status of the last attempt
    t.string('last_error', 500).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('delivered_at').nullable();
    t.bigInteger('updated_at').notNullable();
    // A retried transition finds its deliveries instead of writing them twice.
    t.unique(['webhook_id', 'request_id', 'seq']);
    t.index(['workflow_started', 'created_at']);
    t.index(['request_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhooks');
  await knex.schema.dropTableIfExists('partner_scopes');
}
