import type { Knex } from 'knex';

// Online forms: each save of a form's fields is a new, immutable version, and a request
// keeps the version it was filed with, so changing a form never changes requests already
// filed. Attachments are files under DATA_DIR; their rows and files are personal data
// (the purge deletes both). Citizens' files (fiches usager) are kept by the town hall
// apart from any request: a purged request stays linked to its citizen as a stub.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('form_versions', (t) => {
    t.increments('id');
    t.integer('form_type_id').unsigned().notNullable().references('form_types.id');
    t.integer('version').notNullable();
    t.text('fields').notNullable(); // JSON: FieldDefinition[]
    t.integer('agent_id').unsigned().nullable().references('agents.id');
    t.bigInteger('created_at').notNullable();
    t.unique(['form_type_id', 'version']);
  });
  await knex.schema.alterTable('form_types', (t) => {
    t.text('description').nullable();
    // Shown in the public catalogue; agents can still file unpublished forms for a citizen.
    t.boolean('published').notNullable().defaultTo(true);
  });

  await knex.schema.createTable('citizens', (t) => {
    t.increments('id');
    t.string('first_name', 200).notNullable();
    t.string('last_name', 200).notNullable();
    t.string('search_name', 401).notNullable(); // lower case, no accents: "laforet" finds Laforêt
    t.string('email', 254).nullable();
    t.string('phone', 64).nullable();
    t.string('phone_digits', 64).nullable();
    t.string('national_number', 32).nullable();
    t.text('address').nullable();
    t.integer('created_by').unsigned().nullable().references('agents.id');
    t.bigInteger('created_at').notNullable();
    t.index(['search_name']);
    t.index(['email']);
    t.index(['phone_digits']);
    t.index(['national_number']);
  });

  await knex.schema.alterTable('requests', (t) => {
    t.integer('form_version_id').unsigned().nullable().references('form_versions.id');
    t.integer('citizen_id').unsigned().nullable().references('citizens.id');
    t.integer('filed_by').unsigned().nullable().references('agents.id'); // the agent who entered it for the citizen
    t.index(['citizen_id']);
  });

  await knex.schema.createTable('attachments', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    t.integer('message_id').unsigned().nullable(); // null: filed with the form
    t.string('field_key', 64).nullable();
    t.string('storage_name', 64).notNullable(); // the file under DATA_DIR/attachments/<request id>/
    t.string('file_name', 255).notNullable();
    t.string('content_type', 64).notNullable();
    t.integer('size').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['request_id']);
  });

  // Submissions of the public forms, per client address (rate-limiter-flexible's table).
  await knex.schema.createTable('submission_attempts', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('submission_attempts');
  await knex.schema.dropTableIfExists('attachments');
  await knex.schema.alterTable('requests', (t) => {
    t.dropForeign(['form_version_id']);
    t.dropForeign(['citizen_id']);
    t.dropForeign(['filed_by']);
    t.dropColumn('form_version_id');
    t.dropColumn('citizen_id');
    t.dropColumn('filed_by');
  });
  await knex.schema.dropTableIfExists('citizens');
  await knex.schema.alterTable('form_types', (t) => {
    t.dropColumn('description');
    t.dropColumn('published');
  });
  await knex.schema.dropTableIfExists('form_versions');
}
