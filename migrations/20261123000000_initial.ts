import type { Knex } from 'knex';

// Dates are epoch milliseconds (BIGINT) so SQLite and MySQL store and compare them alike.
// Personal data lives only in request_personal, comments and email_contents:
// the purge deletes rows there and nothing else holds a name, an address or an answer.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('services', (t) => {
    t.increments('id');
    t.string('slug', 64).notNullable().unique();
    t.string('name', 200).notNullable();
  });

  await knex.schema.createTable('form_types', (t) => {
    t.increments('id');
    t.string('slug', 64).notNullable().unique();
    t.string('title', 200).notNullable();
    t.integer('service_id').unsigned().notNullable().references('services.id');
    t.bigInteger('unprocessed_reminder_ms').notNullable();
    t.bigInteger('reminder_every_ms').notNullable();
    t.bigInteger('deletion_ms').notNullable();
    t.bigInteger('deletion_warning_ms').notNullable();
    t.bigInteger('in_progress_reminder_ms').notNullable();
  });

  await knex.schema.createTable('agents', (t) => {
    t.increments('id');
    t.string('code', 64).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('email', 254).notNullable();
    t.string('password_hash', 200).nullable();
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('agent_services', (t) => {
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.integer('service_id').unsigned().notNullable().references('services.id');
    t.primary(['agent_id', 'service_id']);
  });

  // Agent tokens and partner keys: only a SHA-256 of the secret is kept.
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable(); // 'agent' | 'partner'
    t.string('name', 200).notNullable();
    t.integer('agent_id').unsigned().nullable().references('agents.id');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('revoked_at').nullable();
  });

  await knex.schema.createTable('closing_codes', (t) => {
    t.string('code', 64).primary();
    t.string('label', 200).notNullable();
    t.boolean('system').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('event_types', (t) => {
    t.string('code', 64).primary();
    t.string('label', 200).notNullable();
  });

  await knex.schema.createTable('requests', (t) => {
    t.increments('id');
    t.string('reference', 32).notNullable().unique();
    t.string('tracking_code', 32).notNullable().unique();
    t.integer('form_type_id').unsigned().notNullable().references('form_types.id');
    t.integer('service_id').unsigned().notNullable().references('services.id');
    t.string('status', 16).notNullable();
    t.integer('assignee_id').unsigned().nullable().references('agents.id');
    t.string('closing_code', 64).nullable();
    t.bigInteger('hold_until').nullable();
    t.boolean('citizen_has_email').notNullable().defaultTo(false);
    // The workflow's sequence number of the last transition written: older writes never overwrite newer.
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('taken_at').nullable();
    t.bigInteger('closed_at').nullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('purged_at').nullable();
    // Set once the workflow is known to exist: a request filed by a process that died
    // before starting it is found by this column and started by the intake sweep.
    t.boolean('workflow_started').notNullable().defaultTo(false);
    t.index(['workflow_started', 'created_at']);
    t.index(['service_id', 'status', 'created_at']);
    t.index(['assignee_id', 'status']);
    t.index(['status', 'created_at']);
  });

  await knex.schema.createTable('request_personal', (t) => {
    t.integer('request_id').unsigned().primary().references('requests.id');
    t.string('first_name', 200).notNullable();
    t.string('last_name', 200).notNullable();
    t.string('email', 254).nullable();
    t.string('phone', 64).nullable();
    t.text('address').nullable();
    t.text('answers').notNullable(); // JSON
  });

  await knex.schema.createTable('comments', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.text('body').notNullable();
    t.index(['request_id']);
  });

  await knex.schema.createTable('events', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('seq').notNullable();
    t.string('type', 64).notNullable();
    t.integer('agent_id').unsigned().nullable().references('agents.id');
    t.integer('comment_id').unsigned().nullable();
    t.bigInteger('at').notNullable();
    t.unique(['request_id', 'seq']);
  });

  await knex.schema.createTable('emails', (t) => {
    t.increments('id');
    // One key per e-mail: a retried activity finds the row it already wrote.
    t.string('idempotency_key', 191).notNullable().unique();
    t.integer('request_id').unsigned().nullable().references('requests.id');
    t.string('kind', 32).notNullable();
    t.integer('agent_id').unsigned().nullable().references('agents.id'); // recipient, when an agent
    t.string('status', 16).notNullable(); // PENDING | COMMITTING | SENT | FAILED
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('error', 500).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at').nullable();
    t.index(['request_id']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('email_contents', (t) => {
    t.integer('email_id').unsigned().primary().references('emails.id');
    t.integer('request_id').unsigned().nullable();
    t.string('to_address', 254).notNullable();
    t.string('subject', 500).notNullable();
    t.text('body_text').notNullable();
    t.text('body_html').nullable();
    t.index(['request_id']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.json('sess').notNullable();
    t.timestamp('expired').notNullable().index();
  });

  await knex('closing_codes').insert([
    { code: 'TRAITEE', label: 'Traitée', system: false },
    { code: 'SANS_SUITE', label: 'Sans suite', system: false },
    { code: 'REJETEE', label: 'Rejetée', system: false },
    { code: 'DOUBLON', label: 'Doublon', system: false },
    { code: 'EXPIRED', label: 'Supprimée (délai dépassé)', system: true },
  ]);
  await knex('event_types').insert([
    { code: 'NOTE', label: 'Note' },
    { code: 'APPEL_TELEPHONIQUE', label: 'Appel téléphonique' },
    { code: 'COURRIER_ENVOYE', label: 'Courrier envoyé' },
    { code: 'PIECE_DEMANDEE', label: 'Pièce demandée' },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'sessions', 'email_contents', 'emails', 'events', 'comments', 'request_personal', 'requests',
    'event_types', 'closing_codes', 'api_tokens', 'agent_services', 'agents', 'form_types', 'services',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
