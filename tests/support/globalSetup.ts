import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, startDevServer } from '../../src/temporal/devServer';

export const TMP = path.resolve(__dirname, '../.tmp');
// One per jest process: two suites (SQLite, MariaDB) may run side by side.
export const BUNDLE = path.join(TMP, `workflow-bundle-${process.pid}.js`);


/** One Temporal dev server and one workflow bundle for the whole suite. */
export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(TMP, { recursive: true });
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-temporal-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.sqlite'), port, uiPort: null, namespace: 'default' });
  (globalThis as { __temporal?: typeof server }).__temporal = server;
  process.env.GUICHET_TEST_TEMPORAL = server.address;
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log() {}, info() {}, warn() {}, error: console.error, debug() {}, trace() {} } as never });
  fs.writeFileSync(BUNDLE, code);
  process.env.GUICHET_TEST_BUNDLE = BUNDLE;
}
