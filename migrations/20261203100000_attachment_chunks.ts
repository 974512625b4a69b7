import type { Knex } from 'knex';

// Attachments in the database (issue 15, several web processes without a shared disk): on
// MySQL/MariaDB the bytes of each attachment are rows of at most 1 MiB, so that no file
// needs a packet of its size and a download reads one piece at a time. The foreign key
// has no cascade: whatever deletes an attachment's row must delete its bytes first (the
// attachment store does), or MySQL refuses. SQLite gets the table too but keeps its folder.
export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client === 'mysql2';
  await knex.schema.createTable('attachment_chunks', (t) => {
    t.integer('attachment_id').unsigned().notNullable().references('attachments.id');
    t.integer('seq').unsigned().notNullable(); // 0, 1, 2… in the file's order
    if (mysql) {
      t.specificType('data', 'LONGBLOB').notNullable();
    } else {
      t.binary('data').notNullable();
    }
    t.primary(['attachment_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('attachment_chunks');
}
