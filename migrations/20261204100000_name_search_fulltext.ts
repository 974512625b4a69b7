import type { Knex } from 'knex';

// The search by name read every citizen's name of the agent's groups (`LIKE '%mot%'`: 1 to
// 7 s at a million requests). On MariaDB/MySQL a FULLTEXT index finds the names holding a
// word that begins with each word searched (src/db/requestSearch.ts); SQLite, for small
// installations, keeps reading the names.
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE request_personal ADD FULLTEXT INDEX request_personal_ft_name (search_name)');
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE request_personal DROP INDEX request_personal_ft_name');
  }
}
