// Attachments in the database (MySQL/MariaDB): the bytes of each are rows of attachment_chunks
// of at most 1 MiB, written in the transaction that records the attachment and deleted in
// the one that deletes it (the purge's). A download reads one row at a time, so a 10 MiB
// file never needs 10 MiB of memory nor a 10 MiB packet. Attachments of an install from
// before, still on disk until `guichet attachments import`, are read from the folder.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { doomedAttachments } from '../db/attachments';
import type { Db } from '../db/connection';
import type { FolderStore } from './folderStore';
import type { AttachmentStore } from './store';

/** The size of one row of bytes: well under MySQL's smallest max_allowed_packet once escaped. */
export const CHUNK_BYTES = 1024 * 1024;

/** Writes the file at `source` as the chunks of attachment `id`, piece by piece. */
export async function saveChunks(trx: Knex.Transaction, id: number, source: string): Promise<void> {
  const handle = await fs.promises.open(source, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (let seq = 0; ; seq++) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, seq * CHUNK_BYTES);
      if (bytesRead === 0) {
        return;
      }
      await trx('attachment_chunks').insert({ attachment_id: id, seq, data: buffer.subarray(0, bytesRead) });
    }
  } finally {
    await handle.close();
  }
}

export async function chunkCount(db: Db, id: number): Promise<number> {
  return Number((await db('attachment_chunks').where({ attachment_id: id }).count({ n: '*' }).first())?.n ?? 0);
}

/** The chunks in order, each read when the previous one has been sent. */
async function* chunksOf(db: Db, id: number, count: number): AsyncGenerator<Buffer> {
  for (let seq = 0; seq < count; seq++) {
    const row: { data: Buffer } | undefined = await db('attachment_chunks').where({ attachment_id: id, seq }).first('data');
    if (!row) {
      throw new Error(`attachment ${id}: chunk ${seq} is gone (purged while downloaded)`);
    }
    yield row.data;
  }
}

export function databaseStore(legacy: FolderStore): AttachmentStore {
  return {
    kind: 'database',
    async save(trx, file, source) {
      await saveChunks(trx, file.id, source);
      return [];
    },
    async copy(trx, from, to) {
      if ((await chunkCount(trx, from.id)) === 0) {
        await saveChunks(trx, to.id, legacy.pathOf(from)); // not imported yet: from its file
        return [];
      }
      // Copied by the server, row by row: the bytes never come through this process.
      await trx.raw('INSERT INTO attachment_chunks (attachment_id, seq, data) SELECT ?, seq, data FROM attachment_chunks WHERE attachment_id = ?', [to.id, from.id]);
      return [];
    },
    async open(db, file) {
      const count = await chunkCount(db, file.id);
      if (count === 0) {
        return legacy.open(db, file);
      }
      // highWaterMark 1 (byte): one chunk is read ahead at most, whatever the client's pace.
      return Readable.from(chunksOf(db, file.id, count), { objectMode: false, highWaterMark: 1 });
    },
    async delete(trx, doomed) {
      await trx('attachment_chunks').whereIn('attachment_id', doomedAttachments(trx, doomed).select('id')).delete();
      await legacy.delete(trx, doomed);
    },
    // The files of an install from before, if any are left.
    removeFiles: (doomed) => legacy.removeFiles(doomed),
    async discard() {
      // Rolled back with the transaction.
    },
  };
}
