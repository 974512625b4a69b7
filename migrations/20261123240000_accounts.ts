import type { Knex } from 'knex';

// Accounts and administration: single-use links (activation, password reset), the
// administrators' e-mail template overrides, the login rate limiter's counters, and
// each agent's choice for the information e-mails about new requests.
export async function up(knex: Knex): Promise<void> {
  // Only a SHA-256 of the link's secret is kept: a copy of the database opens no account.
  await knex.schema.createTable('account_tokens', (t) => {
    t.increments('id');
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.string('purpose', 16).notNullable(); // ACTIVATION | PASSWORD_RESET
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.index(['agent_id', 'purpose']);
  });

  await knex.schema.createTable('email_templates', (t) => {
    t.string('kind', 32).primary();
    t.string('subject', 500).notNullable();
    t.text('body').notNullable();
    t.integer('updated_by').unsigned().nullable().references('agents.id');
    t.bigInteger('updated_at').notNullable();
  });

  // The schema rate-limiter-flexible's SQLite and MySQL stores read and write.
  await knex.schema.createTable('login_attempts', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').nullable();
  });

  await knex.schema.alterTable('agents', (t) => {
    // IMMEDIATE | DIGEST | NONE: information e-mails about new requests only.
    t.string('new_request_emails', 16).notNullable().defaultTo('IMMEDIATE');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('new_request_emails');
  });
  for (const table of ['login_attempts', 'email_templates', 'account_tokens']) {
    await knex.schema.dropTableIfExists(table);
  }
}
