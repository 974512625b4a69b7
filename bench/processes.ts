import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReadyMessage, Role } from './serve';

export interface Child {
  pid: number;
  port: number | null;
  stop(): Promise<void>;
}

function waitReady(child: ChildProcess, label: string): Promise<ReadyMessage> {
  return new Promise((resolve, reject) => {
    // Bundling the workflows takes minutes on a loaded machine.
    const timer = setTimeout(() => reject(new Error(`${label}: not ready after 600 s`)), 600_000);
    child.once('message', (msg: ReadyMessage) => {
      clearTimeout(timer);
      resolve(msg);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited with code ${code} before being ready`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    // A worker with thousands of cached workflows may be slow to drain; do not wait forever.
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts bench/serve.ts in its own Node process (run through tsx, as bin/guichet.js does). */
export async function startChild(roles: Role[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Child> {
  const label = `child ${roles.join('+')}`;
  // BENCH_CPU_PROFILE=<dir>: each child writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, ...nodeArgs, '--require', require.resolve('tsx/cjs'), path.join(__dirname, 'serve.ts'), ...roles],
    { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const stop = stopper(child);
  try {
    const ready = await waitReady(child, label);
    child.disconnect();
    return { pid: child.pid ?? -1, port: ready.port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
