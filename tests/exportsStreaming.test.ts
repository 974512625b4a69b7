import http from 'node:http';
import ExcelJS from 'exceljs';
import { seedRequests } from '../bench/backofficeSeed';
import { isMysql } from '../src/db/connection';
import { cursor } from '../src/db/cursor';
import { agentByCode } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

// The journal's exports go out as the rows come from the database, and stop, query
// included, when the agent abandons the download. The rows are written by the bench's
// seeder: thousands of closed requests, a journal too big to sit in a socket's buffers.
let h: Harness;
let cookie: string;
let journalRows: number;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  await seedRequests(h.db, { count: 12_000, mix: 'closed', seed: 21, batch: 2000 });
  const agent = await agentByCode(h, 'bdurand');
  journalRows = Number((await h.db('requests').where({ status: 'CLOTUREE' }).whereIn('group_id', agent.groupIds).count({ n: '*' }))[0].n);
  const login = await webClient(h.baseUrl, '10.16.0.1').login('bdurand');
  cookie = login.headers.get('set-cookie')!.split(';')[0];
}, 600_000);
afterAll(async () => {
  await h?.close();
});

/** GET of an export, its response handed over as soon as its headers arrive. */
function download(path: string): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${h.baseUrl}${path}`, { headers: { cookie, 'x-forwarded-for': '10.16.0.1' } }, (res) => resolve({ req, res }));
    req.on('error', reject);
  });
}

async function body(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The export queries running on the MariaDB server now (the processlist's own query does not name group_name). */
async function exportQueriesRunning(): Promise<number> {
  if (!isMysql(h.db)) return 0;
  const [rows] = await h.db.raw("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%group', '_name%') OR INFO LIKE CONCAT('%requests', ' as a cross%')");
  return Number(rows[0].n);
}

const connectionsInUse = () => (h.db.client as unknown as { pool: { numUsed(): number } }).pool.numUsed();

test('the journal goes out in chunks, without a length known in advance, every row of the agent’s groups', async () => {
  expect(journalRows).toBeGreaterThan(6_000);
  const csv = await download('/exports/journal.csv');
  expect(csv.res.statusCode).toBe(200);
  expect(csv.res.headers['transfer-encoding']).toBe('chunked');
  expect(csv.res.headers['content-length']).toBeUndefined();
  const lines = (await body(csv.res)).toString('utf8').trim().split(/\r?\n/);
  expect(lines).toHaveLength(journalRows + 1);

  const xlsx = await download('/exports/journal.xlsx');
  expect(xlsx.res.headers['transfer-encoding']).toBe('chunked');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await body(xlsx.res)) as unknown as ArrayBuffer);
  expect(workbook.getWorksheet('Journal')!.rowCount).toBe(journalRows + 1);
}, 600_000);

test.each(['csv', 'xlsx'])('an abandoned %s download stops the export and its query, and frees the connection', async (format) => {
  const { req, res } = await download(`/exports/journal.${format}`);
  // The first bytes arrived; then the agent closes the tab.
  await new Promise((resolve) => res.once('data', resolve));
  res.pause();
  req.destroy();
  await waitFor(async () => connectionsInUse() === 0 && (await exportQueriesRunning()) === 0, 20_000, 'the export to stop');
  // The server goes on serving, the same export included.
  const again = await download(`/exports/journal.${format}`);
  expect(again.res.statusCode).toBe(200);
  await body(again.res);
}, 600_000);

test('a cursor left early kills its query on the server: a result of billions of rows stops at once', async () => {
  const huge = h.db.from(h.db.raw('requests as a cross join requests as b cross join requests as c')).select('a.id as x', 'b.id as y', 'c.id as z');
  let read = 0;
  for await (const row of cursor<{ x: number }>(h.db, isMysql(h.db) ? huge : h.db('requests').select('id as x'))) {
    expect(row.x).toBeGreaterThan(0);
    if (++read === 5) break;
  }
  expect(read).toBe(5);
  // Without KILL QUERY the server would go on sending 27 000 billion rows for hours.
  await waitFor(async () => connectionsInUse() === 0 && (await exportQueriesRunning()) === 0, 20_000, 'the query to be killed');
  expect(await h.db('requests').count({ n: '*' })).toEqual([{ n: expect.anything() }]);
});
