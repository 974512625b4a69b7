import type { Knex } from 'knex';

// request_personal.sort_name: the citizen's names as the lists sort them, last name first,
// lower-cased without accents, so that « Émilie » sorts with the E's and « Lefèvre » beside
// « Lefebvre » alike on SQLite (binary comparison) and MariaDB (purged with the rest).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_personal', (t) => {
    t.string('sort_name', 402).notNullable().defaultTo('');
  });
  const rows: { request_id: number; first_name: string; last_name: string }[] = await knex('request_personal').select('request_id', 'first_name', 'last_name');
  for (const r of rows) {
    await knex('request_personal').where({ request_id: r.request_id }).update({ sort_name: sortable(r.first_name, r.last_name) });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_personal', (t) => {
    t.dropColumn('sort_name');
  });
}

// A copy of src/search/normalize.ts's: a migration must not change when the app's code does.
function sortable(firstName: string, lastName: string): string {
  return `${lastName} ${firstName}`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
