// The `guichet` command line run as an administrator runs it: a process of its own, against
// the harness's database and Temporal (its environment).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', '..', 'bin', 'guichet.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `guichet …`; never throws: a failure is its exit code and its output. */
export async function runGuichet(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
