import type { Knex } from 'knex';

// Idempotency keys of submissions: a partner's `Idempotency-Key` header, or the token of
// a public form page. Written in the transaction that files the request, so that of two
// attempts with the same key one files and the other finds its answer (the unique index
// decides). Kept a day. Nothing personal: a hash of the body, not the body.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.increments('id');
    t.string('owner', 64).notNullable(); // partner:<key id> or form:<slug>
    t.string('idem_key', 255).notNullable();
    t.string('body_hash', 64).notNullable();
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.bigInteger('created_at').notNullable();
    t.unique(['owner', 'idem_key']);
    t.index(['created_at']);
    t.index(['request_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
}
