import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { ensureTemporalCli } from './cli';
import { t } from '../i18n';

export interface DevServer {
  address: string;
  stop(): Promise<void>;
}

/** Whether something listens on this loopback port (a server started, or still stopping). */
export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port nobody listens on now, for a dev server of a test or a benchmark. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `temporal server start-dev` with its state in `dbFile`, and waits until it answers. */
export async function startDevServer(opts: {
  dbFile: string;
  port: number;
  uiPort: number | null;
  namespace: string;
  log?: (line: string) => void;
  /**
   * `guichet start`: out of the terminal's process group, so that Ctrl-C reaches Guichet
   * alone, which drains its web and worker before it stops the server. Killed with the
   * process if it exits any other way.
   */
  ownProcessGroup?: boolean;
}): Promise<DevServer> {
  const cli = await ensureTemporalCli(opts.log);
  if (await portOpen(opts.port)) {
    throw new Error(t('cli.temporal.portTaken', { port: opts.port }));
  }
  const args = [
    'server', 'start-dev',
    '--db-filename', opts.dbFile,
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--namespace', opts.namespace,
    '--log-level', 'error',
    // A write-ahead log: one sync per commit instead of the rollback journal's several. Bench:
    // bare starts 60 → 104–125/s on this machine.
    '--sqlite-pragma', 'journal_mode=wal',
    // And no sync at each commit, only at checkpoints: the durability of Guichet's own SQLite
    // file (src/db/connection.ts), which survives any process crash (kill -9) and may lose the
    // last commits only if the machine itself stops. Every write of the server waited for
    // that sync, one at a time. Bench (same machine, same hour): bare starts 115 → 155/s,
    // arrival steps during a load 12.5 → 20/s.
    '--sqlite-pragma', 'synchronous=NORMAL',
  ];
  if (opts.uiPort === null) {
    args.push('--headless');
  } else {
    args.push('--ui-port', String(opts.uiPort));
  }
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'ignore', 'inherit'], detached: opts.ownProcessGroup === true });
  let exited = false;
  const killWithUs = () => child.kill('SIGKILL');
  if (opts.ownProcessGroup) {
    process.once('exit', killWithUs);
  }
  child.on('exit', () => {
    exited = true;
    process.off('exit', killWithUs);
  });
  const deadline = Date.now() + 60_000;
  while (!(await portOpen(opts.port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(t('cli.temporal.notStarted'));
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
