// The faults of a chaos run, in order, each process restarted after its pause; and a
// watch for a process that exits by itself (a supervisor would restart it, so does this).
import type { HttpStats } from './http';
import type { ManagedProcess } from '../../src/cluster/process';
import type { Log, Stack } from './stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The faults, in order; each one's restart is done before the next one begins. */
export class Faults {
  /** processes we stopped on purpose: their absence is not a crash */
  private readonly down = new Set<string>();
  readonly unexpectedExits: string[] = [];
  /** what happened when, for the report */
  readonly timeline: string[] = [];
  done = false;

  constructor(private readonly s: Stack, private readonly log: Log, private readonly stats: HttpStats) {}

  async run(t0: number, loadMs: number, outageS: number): Promise<void> {
    const plan: [number, () => Promise<void>][] = [
      [0.1, () => this.bounce(this.s.worker, 3_000)],
      [0.22, async () => {
        // Killed while a submission has been in flight for a few milliseconds (its rows are
        // likely written, its workflow being started), so that a filing cut off after
        // writing is part of every run (issue 20).
        const until = Date.now() + 10_000;
        while (this.stats.inFlight('POST /api/requests').oldestMs < 10 && Date.now() < until) {
          await sleep(2);
        }
        await this.bounce(this.s.web, 2_000);
      }],
      [0.35, () => this.bounce(this.s.temporal, outageS * 1000)],
      [0.62, () => this.bounce(this.s.worker, 3_000)],
      [0.82, () => this.bounce(this.s.worker, 3_000)],
    ];
    for (const [at, fault] of plan) {
      await sleep(Math.max(0, t0 + at * loadMs - Date.now()));
      await fault();
    }
    this.done = true;
  }

  private async bounce(service: ManagedProcess, pauseMs: number): Promise<void> {
    const label = service.label;
    this.down.add(label);
    const pid = service.pid;
    const inFlight = this.stats.inFlight('POST /api/requests').count;
    await service.kill9();
    this.note(`fault: kill -9 ${label} (pid ${pid}) with ${inFlight} submission(s) in flight; restarting it in ${pauseMs / 1000} s`);
    await sleep(pauseMs);
    const started = Date.now();
    await this.startRetrying(service);
    this.down.delete(label);
    this.note(`fault: ${label} back (pid ${service.pid}) ${((Date.now() - started) / 1000).toFixed(1)} s after its restart began`);
  }

  private note(line: string): void {
    this.timeline.push(`${new Date().toISOString()} ${line}`);
    this.log(line);
  }

  private async startRetrying(service: ManagedProcess): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await service.start();
        return;
      } catch (err) {
        this.log(`restart of ${service.label} failed (attempt ${attempt}): ${(err as Error).message}`);
        await sleep(2_000);
      }
    }
  }

  /** A process that exited without being killed is a finding; a supervisor (systemd) would restart it, so do we. */
  async watch(): Promise<void> {
    for (const service of [this.s.temporal, this.s.worker, this.s.web, ...this.s.others]) {
      if (!service.running && !this.down.has(service.label)) {
        this.down.add(service.label);
        this.unexpectedExits.push(`${service.label} at ${new Date().toISOString()}`);
        this.note(`!! ${service.label} exited by itself: restarting it (see its log)`);
        await this.startRetrying(service);
        this.down.delete(service.label);
      }
    }
  }
}
