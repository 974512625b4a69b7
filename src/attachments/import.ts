// `guichet attachments import`: the attachments an install on SQLite's folder (or an older
// Guichet on MySQL) left under DATA_DIR/attachments/, moved into the database. Until then
// the database store reads them from that folder (on the machine that has it only). Each
// file in its own transaction, its file removed once that committed; run again, it does
// nothing more. A file missing on disk is counted, never invented.
import fs from 'node:fs';
import path from 'node:path';
import { AdminError } from '../admin';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { chunkCount, saveChunks } from './databaseStore';
import { folderStore } from './folderStore';
import type { StoredFile } from './store';
import { t } from '../i18n';

export interface ImportReport {
  imported: number;
  /** rows whose bytes are neither in the database nor on disk */
  missing: number;
}

export async function importAttachments(db: Db, config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<ImportReport> {
  if (!config.databaseUrl) {
    throw new AdminError(t('cli.attachments.sqlite')); // SQLite's store is the folder itself
  }
  const folder = folderStore(config.dataDir);
  const report: ImportReport = { imported: 0, missing: 0 };
  const pending: StoredFile[] = await db('attachments as a')
    .leftJoin('attachment_chunks as c', (j) => j.on('c.attachment_id', 'a.id').andOnVal('c.seq', 0))
    .whereNull('c.attachment_id').orderBy('a.id').select('a.id', 'a.request_id', 'a.storage_name', 'a.size');
  for (const file of pending) {
    if (!fs.existsSync(folder.pathOf(file))) {
      report.missing += 1;
      continue;
    }
    const done = await db.transaction(async (trx) => {
      // Locked: a purge of the same request waits, or has already deleted it (nothing to import then).
      const row = await trx('attachments').where({ id: file.id }).forUpdate().first('id');
      if (!row || (await chunkCount(trx, file.id)) > 0) {
        return false;
      }
      await saveChunks(trx, file.id, folder.pathOf(file));
      return true;
    });
    if (done) {
      report.imported += 1;
    }
    await fs.promises.rm(folder.pathOf(file), { force: true });
  }
  await removeEmptyFolders(path.join(config.dataDir, 'attachments'));
  return report;
}

async function removeEmptyFolders(root: string): Promise<void> {
  for (const name of fs.existsSync(root) ? await fs.promises.readdir(root) : []) {
    await fs.promises.rmdir(path.join(root, name)).catch(() => undefined); // kept when not empty
  }
}
