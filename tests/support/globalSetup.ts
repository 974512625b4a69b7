import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../../src/temporal/devServer';
import { cachedWorkflowBundle } from '../../src/temporal/workflowBundle';
import globalTeardown from './globalTeardown';
import { createTemplate } from './templateDatabase';

export const TMP = path.resolve(__dirname, '../.tmp');
export const BUNDLES = path.join(TMP, 'workflow-bundles');
// One per jest process: two suites (SQLite, MariaDB) may run side by side.
export const TEMPLATE = path.join(TMP, `template-${process.pid}.json`);

async function startTemporal(): Promise<void> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-temporal-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.sqlite'), port, uiPort: null, namespace: 'default' });
  (globalThis as { __temporal?: typeof server }).__temporal = server;
  process.env.GUICHET_TEST_TEMPORAL = server.address;
}

/**
 * The bundle as a worker makes it (src/temporal/workflowBundle.ts), in a folder that the
 * workers of both suites (SQLite and MariaDB, side by side) and those the tests start as
 * child processes share: bundled once per version of the code instead of once per worker.
 */
async function bundle(): Promise<void> {
  const quiet = { log() {}, info() {}, warn() {}, error: console.error, debug() {}, trace() {} } as never;
  const { codePath } = await cachedWorkflowBundle(BUNDLES, quiet);
  process.env.GUICHET_TEST_BUNDLE = codePath;
}

async function template(): Promise<void> {
  (globalThis as { __template?: unknown }).__template = await createTemplate(TEMPLATE);
  process.env.GUICHET_TEST_TEMPLATE = TEMPLATE;
}

/**
 * One Temporal dev server, one workflow bundle and one template database for the whole suite.
 * The bundle and the template (both CPU work) side by side, then the dev server: it opens its
 * port before its internal services are up, and on a starved CPU their start can time out and
 * stop the server under the tests' feet.
 */
export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(TMP, { recursive: true });
  const prepared = await Promise.allSettled([bundle(), template()]);
  try {
    const failed = prepared.find((p) => p.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
    await startTemporal();
  } catch (err) {
    await globalTeardown(); // what did start must not outlive the run
    throw err;
  }
}
