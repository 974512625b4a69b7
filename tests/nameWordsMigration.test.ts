// Migration 20261210100000: the words of the names already filed are written from their
// search_name column, which it then drops; rolled back, the column and its contents return.
import { seedRequests } from '../bench/backofficeSeed';
import { nameWords } from '../src/db/nameWords';
import type { Db } from '../src/db/connection';
import { searchable } from '../src/search/normalize';
import { seedReferenceData } from '../src/seed/demo';
import { MIGRATIONS, withFreshDatabase } from './support/freshDatabase';

const MIGRATION = '20261210100000_name_words.ts';

const wordsOf = async (db: Db) => (await db('request_name_words').orderBy(['request_id', 'word']).select('request_id', 'word', 'group_id'))
  .map((w: { request_id: number; word: string; group_id: number | null }) => `${w.request_id} ${w.word} ${w.group_id}`);

test('the names filed before the migration are found by their words after it, in their queues, and a rollback gives back the search column', async () => {
  await withFreshDatabase(async (db) => {
    await db.migrate.latest(MIGRATIONS);
    await seedReferenceData(db);
    await seedRequests(db, { count: 120, mix: 'realistic' });
    // What the application writes for these names, to compare the migration's words with.
    const written = await wordsOf(db);
    const people: { request_id: number; first_name: string; last_name: string }[] = await db('request_personal').select('request_id', 'first_name', 'last_name');
    expect(written.length).toBeGreaterThanOrEqual(2 * people.length);

    await db.migrate.down({ ...MIGRATIONS, name: MIGRATION });
    expect(await db.schema.hasTable('request_name_words')).toBe(false);
    const before: { first_name: string; last_name: string; search_name: string }[] = await db('request_personal').select('first_name', 'last_name', 'search_name');
    expect(before.filter((p) => p.search_name !== searchable(`${p.first_name} ${p.last_name}`))).toEqual([]);

    await db.migrate.latest(MIGRATIONS);
    expect(await db.schema.hasColumn('request_personal', 'search_name')).toBe(false);
    expect(await wordsOf(db)).toEqual(written);
    expect(new Set(written.map((w) => w.split(' ')[1]))).toEqual(new Set(people.flatMap((p) => nameWords(`${p.first_name} ${p.last_name}`))));
  });
});
