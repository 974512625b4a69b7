// Attachments as files under DATA_DIR/attachments/<request id>/<storage name>: SQLite's
// store (one machine). A request's purge removes its folder whole, then the rows.
import fs from 'node:fs';
import path from 'node:path';
import { doomedAttachments } from '../db/attachments';
import type { AttachmentStore, Doomed, StoredFile } from './store';

export interface FolderStore extends AttachmentStore {
  /** Where the file of an attachment is (or was, or would be). */
  pathOf(file: Pick<StoredFile, 'request_id' | 'storage_name'>): string;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export function folderStore(dataDir: string): FolderStore {
  const folderOf = (requestId: number) => path.join(dataDir, 'attachments', String(requestId));
  const pathOf = (file: Pick<StoredFile, 'request_id' | 'storage_name'>) => path.join(folderOf(file.request_id), file.storage_name);
  const remove = (files: string[], recursive = false) => Promise.all(files.map((f) => fs.promises.rm(f, { force: true, recursive })));
  const place = async (file: StoredFile, source: string): Promise<string[]> => {
    await fs.promises.mkdir(folderOf(file.request_id), { recursive: true });
    await fs.promises.copyFile(source, pathOf(file));
    return [pathOf(file)];
  };
  return {
    kind: 'folder',
    pathOf,
    save: (_trx, file, source) => place(file, source),
    copy: (_trx, from, to) => place(to, pathOf(from)),
    async open(_db, file) {
      try {
        return (await fs.promises.open(pathOf(file), 'r')).createReadStream();
      } catch (err) {
        if (isMissing(err)) {
          return undefined;
        }
        throw err;
      }
    },
    async delete(trx, doomed) {
      await doomedAttachments(trx, doomed).delete();
    },
    async removeFiles(doomed: Doomed) {
      await ('requestIds' in doomed ? remove(doomed.requestIds.map(folderOf), true) : remove(doomed.files.map(pathOf)));
    },
    async discard(written) {
      await remove(written);
    },
  };
}
