// `node bin/guichet.js web|worker`, exactly what `npm run web` / `npm run worker` run, as a
// managed child process of the cluster.
import path from 'node:path';
import { ManagedProcess, sleep } from './process';

export class GuichetProcess extends ManagedProcess {
  constructor(
    /** `start` (web and worker in one process, as tests run it) is ready when its web is. */
    readonly role: 'worker' | 'web' | 'start',
    logFile: string,
    private readonly env: NodeJS.ProcessEnv,
    /** the web process's port, or the worker's METRICS_PORT (fixed, so a restart is found at the same address) */
    readonly port: number | null = null,
    label: string = role,
    private readonly timeoutMs = 600_000,
  ) {
    super(label, logFile);
  }

  /**
   * Starts it and waits until it serves (web: /healthz answers; worker: /readyz on its
   * METRICS_PORT, or without one its « polling » line, which LOG_LEVEL=warn hides); a loaded
   * machine may take minutes.
   */
  async start(): Promise<void> {
    let ready = false;
    const bin = path.resolve(__dirname, '../../bin/guichet.js');
    this.spawnLogged(process.execPath, [bin, this.role], this.env, (line) => {
      if (this.role === 'worker' && line.includes('Guichet worker polling')) {
        ready = true;
      }
    });
    const deadline = Date.now() + this.timeoutMs;
    while (!ready) {
      this.checkAlive(`guichet ${this.role}`);
      if (Date.now() > deadline) {
        // Not left running beside the next attempt.
        await this.kill9();
        throw new Error(`guichet ${this.role} not ready after ${this.timeoutMs / 1000} s: see ${this.logFile}`);
      }
      if (this.port !== null) {
        ready = await fetch(`http://127.0.0.1:${this.port}/${this.role === 'worker' ? 'readyz' : 'healthz'}`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.ok, () => false);
      }
      if (!ready) {
        await sleep(250);
      }
    }
  }
}
