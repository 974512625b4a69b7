import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect, migrate, type Db } from '../src/db/connection';
import { statisticsDaysState } from '../src/db/statisticsDays';

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-refresher-'));
  db = connect({ databaseUrl: null, dataDir: dir });
  await migrate(db);
});
afterAll(async () => {
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

// In a process of its own: Node's warnings go to the real process, which a test's `process` is not.
const LOOKING = `
const { connect } = require('./src/db/connection');
const { startStatisticsRefresh } = require('./src/statistics/refresher');
(async () => {
  const db = connect({ databaseUrl: null, dataDir: process.argv[1] });
  const refresher = startStatisticsRefresh(db, 60, 2);
  await new Promise((resolve) => setTimeout(resolve, 400));
  await refresher.stop();
  await db.destroy();
})();
`;

test('the refresher looks again and again without piling listeners on its stop signal, and rebuilds', async () => {
  // A look every 2 ms: about two hundred looks, where one a minute warned after 11 minutes.
  const { stderr } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', LOOKING, dir], {
    cwd: path.join(__dirname, '..'), env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  expect(stderr).not.toContain('MaxListenersExceededWarning');
  expect(await statisticsDaysState(db)).not.toBeNull();
});
