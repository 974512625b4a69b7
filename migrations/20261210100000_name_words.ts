import type { Knex } from 'knex';

// request_name_words: each word of a citizen's name, with the queue (group) its request is in,
// so that a search by name reads only the agent's queues' names beginning with the word typed
// (src/db/nameWords.ts). The FULLTEXT index it replaces found a word's names in the whole city
// (« martin* »: 7 865 citizens at a million requests), each then read by its request to keep
// those of the agent's queues. Personal data: purged with request_personal, whose search_name
// column it also replaces.
export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client === 'mysql2';
  await knex.schema.createTable('request_name_words', (t) => {
    t.integer('request_id').unsigned().notNullable().references('requests.id');
    // Folded already (lower case, no accents): compared byte for byte, so that two words a
    // collation would call equal stay two rows of one name.
    const word = t.string('word', 64).notNullable();
    if (mysql) {
      word.collate('utf8mb4_bin');
    }
    t.integer('group_id').unsigned().nullable();
    t.primary(['request_id', 'word']);
    t.index(['group_id', 'word'], 'request_name_words_group_word');
  });
  await backfill(knex);
  if (mysql) {
    await knex.raw('ALTER TABLE request_personal DROP INDEX request_personal_ft_name');
  }
  await knex.schema.alterTable('request_personal', (t) => {
    t.dropColumn('search_name');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_personal', (t) => {
    t.string('search_name', 402).notNullable().defaultTo('');
  });
  const rows: { request_id: number; first_name: string; last_name: string }[] = await knex('request_personal').select('request_id', 'first_name', 'last_name');
  for (const r of rows) {
    await knex('request_personal').where({ request_id: r.request_id }).update({ search_name: folded(`${r.first_name} ${r.last_name}`) });
  }
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE request_personal ADD FULLTEXT INDEX request_personal_ft_name (search_name)');
  }
  await knex.schema.dropTable('request_name_words');
}

const BATCH = 5000;
// Rows per insert: three values each, under SQLite's limit of bound values.
const INSERTED = 1000;

async function backfill(knex: Knex): Promise<void> {
  for (let after = 0; ;) {
    const rows: { request_id: number; search_name: string; group_id: number | null }[] = await knex('request_personal as p')
      .join('requests as r', 'r.id', 'p.request_id')
      .where('p.request_id', '>', after)
      .orderBy('p.request_id')
      .limit(BATCH)
      .select('p.request_id', 'p.search_name', 'r.group_id');
    if (!rows.length) {
      return;
    }
    const words = rows.flatMap((r) => wordsOf(r.search_name).map((word) => ({ request_id: r.request_id, word, group_id: r.group_id })));
    for (let i = 0; i < words.length; i += INSERTED) {
      await knex('request_name_words').insert(words.slice(i, i + INSERTED));
    }
    after = rows[rows.length - 1].request_id;
  }
}

// Copies of src/search/normalize.ts's and src/db/nameWords.ts's: a migration must not change when the app's code does.
function folded(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function wordsOf(name: string): string[] {
  return [...new Set(folded(name).split(/[^\p{L}\p{N}]+/u).filter(Boolean).map((w) => [...w].slice(0, 64).join('')))];
}
