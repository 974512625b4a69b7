// Where Temporal's store lives: a PostgreSQL server, and the names of its two databases.
import type { StoreSettings } from './nodeConfig';

export const STORE_DATABASE = 'guichet_temporal';
export const VISIBILITY_DATABASE = 'guichet_temporal_visibility';

/** postgres://user[:password]@host[:port] → the store's settings, with the given database names. */
export function storeOf(postgresUrl: string, database = STORE_DATABASE, visibilityDatabase = VISIBILITY_DATABASE): StoreSettings | null {
  let url: URL;
  try {
    url = new URL(postgresUrl);
  } catch {
    return null;
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol) || !url.hostname) {
    return null;
  }
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database,
    visibilityDatabase,
  };
}
