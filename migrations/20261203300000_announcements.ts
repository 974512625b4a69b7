import type { Knex } from 'knex';

// The information e-mails on new requests, sent in batches (src/mail/announcements.ts):
// a request waiting for its batch has announced_in = 0; the batch that announced it writes its
// id there. NULL: nothing to announce (the requests before batches, merges' and splits' own).
// A batch row is written once, with its claim, so that a retried batch lists the same requests.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.bigInteger('announced_in').nullable();
    t.index(['announced_in'], 'requests_announced_in');
  });
  await knex.schema.createTable('announcement_batches', (t) => {
    t.bigInteger('id').primary();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('announcement_batches');
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['announced_in'], 'requests_announced_in');
    t.dropColumn('announced_in');
  });
}
