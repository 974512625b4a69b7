// Counts of requests as the pages show them: exact up to 10 000, « plus de 10 000 » beyond.
// At a million requests an exact count of a large list reads hundreds of thousands of
// index entries (150 ms and more for an agent of every service, on every page's nav),
// while the page itself reads 100 rows. Beyond 10 000 an agent cannot act on the exact
// figure anyway: the statistics give exact figures to whoever plans the work. Counting
// stops at the cap, so no count reads more than 10 001 index entries.
import type { Knex } from 'knex';
import type { Db } from './connection';

export const COUNT_CAP = 10_000;

/** The value of a capped count that means « more than COUNT_CAP ». */
export const MORE = COUNT_CAP + 1;

export const isMore = (count: number): boolean => count > COUNT_CAP;

/** The rows of `q` (a query without select), counted up to MORE. */
export async function cappedCount(db: Db, q: Knex.QueryBuilder): Promise<number> {
  const row: { n: number | string } | undefined = await db.from(q.select(db.raw('1')).limit(MORE).as('capped')).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Capped counts added up: still « more » when any of them is, or when the sum passes the cap. */
export const addCapped = (...counts: number[]): number => Math.min(MORE, counts.reduce((a, b) => a + b, 0));
