// `guichet attachments import`: attachments an older install left on disk move into the
// database (MySQL/MariaDB); until then they are read from the folder. On SQLite the folder
// is the store: the command refuses, in French, and changes nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { importAttachments } from '../src/attachments/import';
import { attachmentStore } from '../src/attachments/store';
import { submitRequest } from './support/factories';
import { PDF } from './support/files';
import { runGuichet } from './support/cli';
import { startHarness, type Harness } from './support/harness';
import { storedBytes } from './support/storedFiles';
import { webClient } from './support/webClient';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

/** An attachment as an install that kept files on disk left it: its row, and its file in DATA_DIR/attachments. */
async function leftOnDisk(requestId: number, bytes: Buffer | null) {
  const row = { request_id: requestId, message_id: null, field_key: 'piece', storage_name: crypto.randomUUID(), file_name: 'ancien.pdf', content_type: 'application/pdf', size: bytes?.length ?? 10, created_at: Date.now() };
  const [id] = await h.db('attachments').insert(row);
  const file = path.join(h.config.dataDir, 'attachments', String(requestId), row.storage_name);
  if (bytes) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  return { row: { ...row, id: Number(id) }, file };
}

test('files left on disk are served, then imported into the database once (MySQL); SQLite refuses the import', async () => {
  const filed = await submitRequest(h);
  const bytes = Buffer.concat([PDF, crypto.randomBytes(2 * 1024 * 1024 + 7)]);
  const old = await leftOnDisk(filed.id, bytes);
  const lost = await leftOnDisk(filed.id, null);
  const agent = webClient(h.baseUrl, '198.51.100.70');
  await agent.login('amartin');
  const download = () => agent.call('GET', `/demandes/${filed.reference}/pieces/${old.row.id}`);
  // Before the import: read from the folder, whichever the store.
  expect((await download()).body.equals(bytes)).toBe(true);
  expect((await agent.call('GET', `/demandes/${filed.reference}/pieces/${lost.row.id}`)).status).toBe(404);

  const first = await runGuichet(h.env, 'attachments', 'import');
  if (!h.config.databaseUrl) {
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('avec SQLite, les pièces jointes restent dans le dossier DATA_DIR/attachments : rien à importer.');
    expect(fs.readFileSync(old.file).equals(bytes)).toBe(true);
    expect(await h.db('attachment_chunks').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(attachmentStore(h.config).kind).toBe('folder');
    return;
  }
  expect(first).toMatchObject({ code: 0, stdout: '1 pièce jointe rangée dans la base de données.\n' });
  expect(first.stderr).toContain('1 pièce jointe introuvable sur le disque (ni dans la base) : elle ne pourra pas être téléchargée.');
  expect(fs.existsSync(old.file)).toBe(false);
  expect(fs.existsSync(path.dirname(old.file))).toBe(false);
  expect((await h.db('attachment_chunks').where({ attachment_id: old.row.id }).orderBy('seq').pluck('seq')).map(Number)).toEqual([0, 1, 2]);
  expect((await storedBytes(h, old.row))!.equals(bytes)).toBe(true);
  expect((await download()).body.equals(bytes)).toBe(true);
  // Run again (the command's own function, a process is slow to start): nothing more to do.
  expect(await importAttachments(h.db, h.config)).toEqual({ imported: 0, missing: 1 });
  expect(await h.db('attachment_chunks').where({ attachment_id: old.row.id }).count({ n: '*' }).first()).toMatchObject({ n: 3 });
}, 600_000);
