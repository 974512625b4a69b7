// One node of the Temporal cluster: `server start` with all four services (frontend,
// history, matching, worker) on the node's own ports, sharing the PostgreSQL store with
// the other nodes; they find each other through the store's membership table.
import { CONFIG_ENV } from './nodeConfig';
import path from 'node:path';
import type { TemporalBinaries } from './binaries';
import { frontendAnswers } from './frontend';
import type { NodePorts } from './ports';
import { ManagedProcess, sleep } from './process';

export class TemporalNode extends ManagedProcess {
  constructor(
    label: string,
    logFile: string,
    private readonly binaries: TemporalBinaries,
    /** the node's root: its config/cluster.yaml was written there */
    private readonly rootDir: string,
    readonly ports: NodePorts,
    private readonly timeoutMs = 600_000,
  ) {
    super(label, logFile);
  }

  get address(): string {
    return `127.0.0.1:${this.ports.frontend}`;
  }

  /** Starts it and waits until its frontend answers (which needs the store and the membership ring). */
  async start(): Promise<void> {
    const args = ['--root', this.rootDir, '--config', 'config', '--env', CONFIG_ENV, '--allow-no-auth', 'start'];
    this.spawnLogged(this.binaries.server, args, process.env, undefined, path.dirname(this.rootDir));
    const deadline = Date.now() + this.timeoutMs;
    while (!(await frontendAnswers(this.address, (c) => c.workflowService.getClusterInfo({})))) {
      this.checkAlive(this.label);
      if (Date.now() > deadline) {
        await this.kill9();
        throw new Error(`${this.label} not ready after ${this.timeoutMs / 1000} s: see ${this.logFile}`);
      }
      await sleep(500);
    }
  }
}
