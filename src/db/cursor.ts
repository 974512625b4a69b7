// The rows of a query one at a time, for the exports of a million rows.
//
// On MySQL/MariaDB: a cursor on a connection of its own (mysql2 streams the rows and
// pauses the socket while the reader is behind, so memory stays bounded whatever the
// size). A reader that stops early (a download the browser abandoned) kills the query on
// the server (KILL QUERY), which would otherwise go on sending every remaining row to a
// connection that throws them away, before the connection goes back to the pool.
//
// On SQLite (the small embedded default) the result is read whole, as knex does anyway:
// better-sqlite3 lets no other statement run on its one connection while a cursor is open,
// and the export reads each batch's milestones meanwhile.
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { isMysql, type Db } from './connection';

interface MysqlConnection {
  threadId: number;
  query(options: { sql: string; values: unknown[] }): NodeJS.EventEmitter & { stream(options: { highWaterMark: number }): Readable };
}

export async function* cursor<T>(db: Db, q: Knex.QueryBuilder): AsyncGenerator<T> {
  if (!isMysql(db)) {
    yield* (await q) as T[];
    return;
  }
  const { sql, bindings } = q.toSQL().toNative();
  const connection = (await db.client.acquireConnection()) as MysqlConnection;
  const query = connection.query({ sql, values: [...bindings] });
  // Ends with 'end', or 'error' when killed: either way the connection is free again.
  const finished = new Promise<void>((resolve) => {
    query.once('end', resolve);
    query.once('error', () => resolve());
  });
  const rows = query.stream({ highWaterMark: 256 });
  let complete = false;
  try {
    for await (const row of rows) {
      yield row as T;
    }
    complete = true;
  } finally {
    if (!complete) {
      await db.raw('KILL QUERY ?', [connection.threadId]);
      rows.destroy();
    }
    await finished;
    await db.client.releaseConnection(connection);
  }
}
