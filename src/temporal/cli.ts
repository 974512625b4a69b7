import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { t } from '../i18n';

const run = promisify(execFile);
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return null;
}

export async function goBin(): Promise<string> {
  try {
    const { stdout } = await run('go', ['env', 'GOBIN', 'GOPATH']);
    const [gobin, gopath] = stdout.split('\n');
    return gobin.trim() || path.join(gopath.trim() || path.join(os.homedir(), 'go'), 'bin');
  } catch {
    return path.join(os.homedir(), 'go', 'bin');
  }
}

/** The `temporal` CLI: from PATH, else from Go's bin folder, else built there once with `go install`. */
export async function ensureTemporalCli(log: (line: string) => void = console.log): Promise<string> {
  const found = onPath('temporal');
  if (found) {
    return found;
  }
  const built = path.join(await goBin(), 'temporal');
  if (fs.existsSync(built)) {
    return built;
  }
  if (!onPath('go')) {
    throw new Error(t('cli.temporal.noCli'));
  }
  log(`Temporal CLI not found: building it once with \`go install ${TEMPORAL_CLI_MODULE}\`.`);
  log('This downloads and compiles the Temporal server; it may take 5 to 10 minutes. Later starts reuse it.');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', TEMPORAL_CLI_MODULE], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(t('cli.temporal.goInstallFailed', { code: String(code) })))));
  });
  log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${built}`);
  return built;
}
