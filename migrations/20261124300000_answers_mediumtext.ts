import type { Knex } from 'knex';

// A request's answers are one JSON text: a form may have 40 fields of up to 20 000
// characters, and the API takes bodies up to 1 MB. MySQL's TEXT holds 64 KB only (longer
// answers failed with a 500): MEDIUMTEXT holds 16 MB. SQLite's TEXT has no such bound.
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'mysql2') {
    return;
  }
  await knex.schema.alterTable('request_personal', (t) => {
    t.text('answers', 'mediumtext').notNullable().alter();
  });
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'mysql2') {
    return;
  }
  await knex.schema.alterTable('request_personal', (t) => {
    t.text('answers').notNullable().alter();
  });
}
