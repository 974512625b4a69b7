// The processes the chaos run starts and kills: the Temporal dev server, `guichet worker`
// and `guichet web`, each a real child process, so that kill -9 is what a crash would be.
// Their output goes to log files (kept after the run) for the findings.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { portOpen } from '../../src/temporal/devServer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child process whose output is appended to a log file, with a line per start. */
abstract class Service {
  protected child: ChildProcess | null = null;
  /** how many times it was started */
  starts = 0;

  constructor(readonly label: string, protected readonly logFile: string) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  protected spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): ChildProcess {
    this.starts += 1;
    const out = fs.createWriteStream(this.logFile, { flags: 'a' });
    out.write(`\n===== ${new Date().toISOString()} start #${this.starts}: ${path.basename(command)} ${args.join(' ')}\n`);
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

  /** A polite stop at the end of the run (SIGTERM, then SIGKILL after 15 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** `temporal server start-dev` on a fixed port with its state in a file, so a restart finds it all again. */
export class TemporalServer extends Service {
  constructor(logFile: string, readonly port: number, private readonly dbFile: string) {
    super('temporal', logFile);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const cli = await ensureTemporalCli();
    // A killed server's port may take a moment to be free again.
    for (let i = 0; i < 50 && (await portOpen(this.port)); i += 1) {
      await sleep(200);
    }
    const child = this.spawnLogged(cli, [
      'server', 'start-dev', '--db-filename', this.dbFile, '--ip', '127.0.0.1', '--port', String(this.port),
      '--namespace', 'default', '--log-level', 'warn', '--headless',
    ], process.env);
    const deadline = Date.now() + 90_000;
    while (!(await portOpen(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not start (see ${this.logFile})`);
      }
      await sleep(200);
    }
  }
}

/** `node bin/guichet.js worker|web`, exactly what `npm run worker` / `npm run web` run. */
export class GuichetProcess extends Service {
  constructor(
    readonly role: 'worker' | 'web',
    logFile: string,
    private readonly env: NodeJS.ProcessEnv,
    /** the web process's port (fixed, so a restart is found at the same address) */
    readonly port: number | null = null,
  ) {
    super(role, logFile);
  }

  /** Starts it and waits until it serves (web: /healthz answers; worker: it says it polls). */
  async start(timeoutMs = 180_000): Promise<void> {
    let ready = false;
    const bin = path.resolve(__dirname, '../../bin/guichet.js');
    const child = this.spawnLogged(process.execPath, [bin, this.role], this.env, (line) => {
      if (this.role === 'worker' && line.includes('Guichet worker polling')) {
        ready = true;
      }
    });
    const deadline = Date.now() + timeoutMs;
    while (!ready) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`guichet ${this.role} exited (code ${child.exitCode}) before being ready: see ${this.logFile}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`guichet ${this.role} not ready after ${timeoutMs / 1000} s: see ${this.logFile}`);
      }
      if (this.role === 'web') {
        ready = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.ok, () => false);
      }
      if (!ready) {
        await sleep(250);
      }
    }
  }
}
