// A child process of the cluster (a Temporal node, `guichet web`, `guichet worker`) whose
// output is appended to a log file, with a line per start: it can be killed with -9 (a
// crash, for the chaos run), stopped politely, and started again with the same settings.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export abstract class ManagedProcess {
  protected child: ChildProcess | null = null;
  /** how many times it was started */
  starts = 0;

  constructor(readonly label: string, readonly logFile: string) {}

  /** Starts it and resolves once it serves; the same settings every time. */
  abstract start(): Promise<void>;

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  protected spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void, cwd?: string): ChildProcess {
    this.starts += 1;
    const out = fs.createWriteStream(this.logFile, { flags: 'a' });
    out.write(`\n===== ${new Date().toISOString()} start #${this.starts}: ${path.basename(command)} ${args.join(' ')}\n`);
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const take = (chunk: Buffer) => {
      out.write(chunk);
      if (onLine) {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('exit', (code, signal) => {
      out.end(`===== ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
    });
    this.child = child;
    return child;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Throws when the process exited while we waited for it to be ready. */
  protected checkAlive(what: string): void {
    const child = this.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited (code ${child.exitCode}, signal ${child.signalCode}) before being ready: see ${this.logFile}`);
    }
  }

  /** kill -9: no shutdown hook runs, as in a crash. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** A polite stop (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** kill -9, a pause, and a start with the same settings. */
  async crashAndRestart(pauseMs: number): Promise<void> {
    await this.kill9();
    await sleep(pauseMs);
    await this.start();
  }
}
