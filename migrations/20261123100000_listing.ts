import type { Knex } from 'knex';

// What the back office's lists, search and statistics need from the projection:
// - status_since: when the request entered its status (the in-progress reminder counts from it);
// - channel: how the request reached us (web, api, counter, phone, mail);
// - request_personal.search_name: the citizen's names lower-cased without accents, so that
//   "Héloïse" is found by "heloise" alike on SQLite and MySQL (and purged with the rest).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.bigInteger('status_since').nullable();
    t.string('channel', 16).notNullable().defaultTo('web');
    t.index(['service_id', 'status', 'status_since']);
    t.index(['service_id', 'closed_at']);
  });
  await knex('requests').update({ status_since: knex.ref('updated_at') });
  await knex.schema.alterTable('request_personal', (t) => {
    t.string('search_name', 402).notNullable().defaultTo('');
  });
  const rows: { request_id: number; first_name: string; last_name: string }[] = await knex('request_personal').select('request_id', 'first_name', 'last_name');
  for (const r of rows) {
    await knex('request_personal').where({ request_id: r.request_id }).update({ search_name: searchable(`${r.first_name} ${r.last_name}`) });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_personal', (t) => {
    t.dropColumn('search_name');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['service_id', 'status', 'status_since']);
    t.dropIndex(['service_id', 'closed_at']);
    t.dropColumn('status_since');
    t.dropColumn('channel');
  });
}

// A copy of src/search/normalize.ts: a migration must not change when the app's code does.
function searchable(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
