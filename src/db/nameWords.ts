// The words of each citizen's name, with the queue (group) of the request, so that a search by
// name reads only the names of the agent's queues, from the (group_id, word) index: « martin »
// reads the words beginning with « martin » in each queue, not the whole city's. The rows
// follow the request: written with its personal data, moved with it to another queue, deleted
// with its personal data (they are personal data: the purge removes them).
import type { Knex } from 'knex';
import { isMysql, type Db } from './connection';
import { searchable } from '../search/normalize';
import { inGroups } from './scope';

/** As long as the column holds: a longer word is found by its first 64 letters. */
const WORD_LENGTH = 64;

/** The words a search reads at most: a longer query is not a name. */
const MAX_QUERY_WORDS = 8;

/** A name's distinct words: folded (accents and case ignored), hyphens and apostrophes as breaks. */
export function nameWords(name: string): string[] {
  const words = searchable(name).split(/[^\p{L}\p{N}]+/u).filter(Boolean).map((w) => [...w].slice(0, WORD_LENGTH).join(''));
  return [...new Set(words)];
}

export async function writeNameWords(trx: Knex.Transaction, requestId: number, groupId: number | null, firstName: string, lastName: string): Promise<void> {
  const words = nameWords(`${firstName} ${lastName}`);
  if (words.length) {
    await trx('request_name_words').insert(words.map((word) => ({ request_id: requestId, word, group_id: groupId })));
  }
}

/** The request went to another queue: its name is found there. */
export async function moveNameWords(trx: Knex.Transaction, requestId: number, groupId: number | null): Promise<void> {
  await trx('request_name_words').where({ request_id: requestId }).update({ group_id: groupId });
}

export async function deleteNameWords(trx: Knex.Transaction, requestId: number): Promise<void> {
  await trx('request_name_words').where({ request_id: requestId }).delete();
}

/**
 * Requests whose citizen's name has a word beginning with each word typed (« dup » finds
 * Dupont, « pont » does not). The longest word is looked up in the agent's queues through the
 * (group_id, word) index; each other one is checked on the few requests found, by the
 * (request_id, word) key. A query without a letter or a digit filters nothing.
 */
export function byName(db: Db, q: Knex.QueryBuilder, groupIds: number[], name: string): void {
  const words = nameWords(name).sort((a, b) => b.length - a.length).slice(0, MAX_QUERY_WORDS);
  if (!words.length) {
    return;
  }
  const [longest, ...others] = words;
  q.whereIn('r.id', beginningWith(db, inGroups(db('request_name_words as w0'), 'w0.group_id', groupIds), 'w0', longest).select('w0.request_id'));
  others.forEach((word, i) => {
    const alias = `w${i + 1}`;
    q.whereExists(beginningWith(db, db(`request_name_words as ${alias}`).whereRaw(`${alias}.request_id = r.id`), alias, word).select(db.raw('1')));
  });
}

// Words hold letters and digits only, so nothing in them needs escaping. SQLite's LIKE ignores
// case, and so reads no index on a column compared byte for byte; its GLOB reads it.
function beginningWith(db: Db, q: Knex.QueryBuilder, alias: string, word: string): Knex.QueryBuilder {
  return isMysql(db) ? q.whereRaw(`${alias}.word LIKE ?`, [`${word}%`]) : q.whereRaw(`${alias}.word GLOB ?`, [`${word}*`]);
}
