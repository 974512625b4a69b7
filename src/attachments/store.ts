// Where the bytes of attachments live (their rows are always in the `attachments` table):
// in a folder under DATA_DIR on SQLite (one machine), in the database on MySQL/MariaDB, so
// that every web process reads them without a shared disk. Everything that writes, reads,
// copies or deletes attachments goes through the store the configuration chooses.
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { AttachmentRow } from '../db/attachments';
import type { Db } from '../db/connection';
import { databaseStore } from './databaseStore';
import { folderStore } from './folderStore';

/** What a store needs of an attachment's row. */
export type StoredFile = Pick<AttachmentRow, 'id' | 'request_id' | 'storage_name' | 'size'>;

/** Attachments to delete: all those of some requests, or these ones (a withdrawn message's). */
export type Doomed = { requestIds: number[] } | { files: StoredFile[] };

export interface AttachmentStore {
  readonly kind: 'folder' | 'database';
  /**
   * Keeps the bytes of the file at `source` as those of the new row `file`, inside the
   * transaction that inserted the row. Returns the files written on disk, which the caller
   * gives to `discard` if the transaction rolls back (none for the database).
   */
  save(trx: Knex.Transaction, file: StoredFile, source: string): Promise<string[]>;
  /** Copies the bytes of `from` as those of the new row `to` (a merge, a split), inside its transaction; returns as `save`. */
  copy(trx: Knex.Transaction, from: StoredFile, to: StoredFile): Promise<string[]>;
  /** The bytes, read one piece at a time; undefined when they are not there. */
  open(db: Db, file: StoredFile): Promise<Readable | undefined>;
  /** Deletes the rows of these attachments, and their bytes when the database holds them, inside the caller's transaction. */
  delete(trx: Knex.Transaction, doomed: Doomed): Promise<void>;
  /**
   * The files on disk of these attachments (the folder's; for the database, only those an
   * older install left): once the transaction that deleted their rows committed, but for
   * the purge, which removes them first (a crash between leaves a closed request without
   * its files until the purge is retried, never a purged one with them).
   */
  removeFiles(doomed: Doomed): Promise<void>;
  /** After a rolled-back transaction: the files it had written. */
  discard(written: string[]): Promise<void>;
}

/** The database on MySQL/MariaDB, the folder on SQLite. */
export function attachmentStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): AttachmentStore {
  const folder = folderStore(config.dataDir);
  return config.databaseUrl ? databaseStore(folder) : folder;
}
