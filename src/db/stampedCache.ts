// Figures of the queues that every page shows (the nav's counts) but that change only when
// the queues do. At a million requests the nav's six capped counts read up to 60 000 index
// entries and are most of a list page's time, while the queues' stamp (src/db/changes.ts)
// reads one entry per group: a figure is computed again only once the stamp has moved.
import { LRUCache } from 'lru-cache';
import { queuesStamp } from './changes';
import type { Db } from './connection';

interface Entry {
  stamp: string;
  value: Promise<unknown>;
}

/**
 * The stamp sees every change of a group's requests made through their `updated_at` and
 * every transfer out; the time-to-live bounds what it cannot see (two changes within one
 * millisecond, clocks of two web processes apart).
 */
const TTL_MS = 20_000;

// One cache per database: the tests run several databases in one process, with the same ids.
const caches = new WeakMap<Db, LRUCache<string, Entry>>();

function cacheOf(db: Db): LRUCache<string, Entry> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new LRUCache<string, Entry>({ max: 5_000, ttl: TTL_MS });
    caches.set(db, cache);
  }
  return cache;
}

/**
 * `compute()`'s value for `key` over these groups, taken again only when their queues changed.
 * Callers that ask at the same moment share one computation; a failed one is not kept.
 */
export async function byQueuesStamp<T>(db: Db, groupIds: number[], key: string, compute: () => Promise<T>): Promise<T> {
  const stamp = await queuesStamp(db, groupIds);
  const cache = cacheOf(db);
  const fullKey = `${key}|${groupIds.join(',')}`;
  const kept = cache.get(fullKey);
  if (kept?.stamp === stamp) {
    return kept.value as Promise<T>;
  }
  const value = compute();
  cache.set(fullKey, { stamp, value });
  value.catch(() => {
    if (cache.get(fullKey)?.value === value) {
      cache.delete(fullKey);
    }
  });
  return value;
}
