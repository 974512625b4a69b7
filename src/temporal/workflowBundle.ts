import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '../..');
/** What the bundle is made of: our workflows, the types they import from src/, and the SDK. */
const SOURCES = ['workflows', 'src', 'package-lock.json', 'node_modules/@temporalio/workflow/package.json'];

/**
 * The workflow bundle of this version of the code, built once and kept in the data dir.
 * Bundling takes 10 to 30 s of CPU: a worker that restarts after a crash (or a second
 * worker started beside the first) would wait that long before polling, while its
 * requests' timers and Updates wait. The file is named after a hash of its sources, so a
 * new version of the code bundles again; two workers starting at once may both bundle,
 * and the rename keeps either's file whole.
 */
export async function cachedWorkflowBundle(dir: string, logger?: Logger): Promise<{ codePath: string }> {
  const codePath = path.join(dir, `${sourcesHash()}.js`);
  if (!fs.existsSync(codePath)) {
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), ...(logger ? { logger } : {}) });
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${codePath}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, codePath);
    removeOthers(dir, codePath);
  }
  return { codePath };
}

function sourcesHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of SOURCES.flatMap((s) => filesUnder(path.join(ROOT, s)))) {
    hash.update(path.relative(ROOT, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(entry: string): string[] {
  if (!fs.existsSync(entry)) {
    return [];
  }
  if (!fs.statSync(entry).isDirectory()) {
    return [entry];
  }
  return fs.readdirSync(entry).sort()
    .flatMap((name) => filesUnder(path.join(entry, name)))
    .filter((file) => file.endsWith('.ts') || file.endsWith('.json'));
}

const BUNDLE_NAME = /^[0-9a-f]{16}\.js$/;

/** Bundles of former versions: one file each, of a few megabytes. */
function removeOthers(dir: string, keep: string): void {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (file !== keep && BUNDLE_NAME.test(name)) {
      fs.rmSync(file, { force: true });
    }
  }
}
