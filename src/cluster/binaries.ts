// The real Temporal server and its schema tool, built once with Go and reused, as
// ensureTemporalCli does for the CLI of the dev server.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { goBin, onPath } from '../temporal/cli';
import { t } from '../i18n';

const run = promisify(execFile);
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULES = ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'];

export interface TemporalBinaries {
  /** the server (`server start`) */
  server: string;
  /** the SQL schema tool */
  sql: string;
  /** the server module's source: its sample configurations and its schemas */
  moduleDir: string;
}

async function moduleDir(): Promise<string> {
  const { stdout } = await run('go', ['env', 'GOMODCACHE']);
  return path.join(stdout.trim(), `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`);
}

function goInstall(module: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', `${module}@${TEMPORAL_SERVER_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(t('cli.temporal.goInstallFailed', { code: String(code) })))));
  });
}

/** `server` and `sql` from Go's bin folder, built there with `go install` the first time. */
export async function ensureTemporalServer(log: (line: string) => void = console.log): Promise<TemporalBinaries> {
  if (!onPath('go')) {
    throw new Error(t('cluster.noGo'));
  }
  const bin = await goBin();
  const binaries = { server: path.join(bin, 'server'), sql: path.join(bin, 'sql'), moduleDir: await moduleDir() };
  const missing = MODULES.filter((_, i) => !fs.existsSync(i === 0 ? binaries.server : binaries.sql));
  if (missing.length > 0) {
    log(t('cluster.building', { version: TEMPORAL_SERVER_VERSION }));
    const started = Date.now();
    for (const module of missing) {
      await goInstall(module);
    }
    log(t('cluster.built', { seconds: Math.round((Date.now() - started) / 1000), dir: bin }));
  }
  if (!fs.existsSync(path.join(binaries.moduleDir, 'config', 'development-postgres12.yaml'))) {
    throw new Error(t('cluster.noModule', { dir: binaries.moduleDir }));
  }
  return binaries;
}
