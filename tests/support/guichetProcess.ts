// `node bin/guichet.js web|worker|start` as a test's child process, stopped by a signal the test
// sends: the chaos harness's process (its log file, its readiness), plus how it ended.
import fs from 'node:fs';
import path from 'node:path';
import { GuichetProcess } from '../../bench/chaos/services';
import { TMP } from './globalSetup';

export class StoppedGuichet extends GuichetProcess {
  constructor(role: 'web' | 'worker' | 'start', env: NodeJS.ProcessEnv, port: number | null = null) {
    fs.mkdirSync(TMP, { recursive: true });
    const log = path.join(TMP, `${role}-${process.pid}-${Date.now()}.log`);
    super(role, log, { ...env, ...(port === null ? {} : { PORT: String(port) }), LOG_LEVEL: 'info' }, port);
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** How it ended: its exit code, or the signal that killed it. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child!;
    if (child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
    }
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** What it wrote so far (its log file holds stdout and stderr). */
  output(): string {
    return fs.readFileSync(this.logFile, 'utf8');
  }
}
