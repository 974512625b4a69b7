import fs from 'node:fs';
import os from 'node:os';

// Linux clock ticks per second (getconf CLK_TCK); 100 on every kernel this runs on.
const TICKS = 100;

export interface Proc {
  label: string;
  pid: number;
}

/** user + system CPU seconds of one process, or null when it is gone or /proc is absent. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * Waits until the processes together use less than `share` of one core over `spanMs` (the
 * work a setup left queued behind it is done), or `timeoutMs` passed; the seconds it waited.
 */
export async function waitForQuiet(pids: number[], share: number, spanMs: number, timeoutMs: number): Promise<number> {
  const began = Date.now();
  const busy = () => pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  while (Date.now() - began < timeoutMs) {
    const before = busy();
    await new Promise((resolve) => setTimeout(resolve, spanMs));
    if ((busy() - before) / (spanMs / 1000) < share) {
      break;
    }
  }
  return (Date.now() - began) / 1000;
}

/** Busy CPU seconds of the whole machine (all cores), to see what else was running. */
function machineBusySeconds(): number | null {
  try {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = ticks[3] + ticks[4];
    return (ticks.slice(0, 8).reduce((a, b) => a + b, 0) - idle) / TICKS;
  } catch {
    return null;
  }
}

function findPid(matches: (comm: string, ppid: number) => boolean): number | null {
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) {
        continue;
      }
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (matches(comm, ppid)) {
        return Number(entry);
      }
    }
  } catch {
    // no /proc (or a process gone while reading): no CPU figures for it
  }
  return null;
}

/** The `temporal` process this one started (startDevServer does not hand out its pid). */
export function devServerPid(): number | null {
  return findPid((comm, ppid) => comm === 'temporal' && ppid === process.pid);
}

/** The local MariaDB/MySQL server, when the bench runs on one: its CPU is part of the intake's cost. */
export function databaseServerPid(): number | null {
  return findPid((comm) => comm === 'mariadbd' || comm === 'mysqld');
}

export interface Usage {
  text: string;
  /** the fraction of the machine's CPU that processes outside the bench used */
  othersShare: number;
}

type Sample = { wall: number; machine: number | null; procs: Map<string, number | null> };

/** CPU seconds each process spent during one phase: where the time went. */
export class CpuMeter {
  private start!: Sample;

  constructor(private readonly procs: () => Proc[]) {}

  private sample(): Sample {
    const procs = new Map<string, number | null>(this.procs().map((p) => [p.label, cpuSecondsOf(p.pid)]));
    return { wall: performance.now() / 1000, machine: machineBusySeconds(), procs };
  }

  begin(): void {
    this.start = this.sample();
  }

  /** e.g. "temporal 12.1 s, web 4.0 s, … of 40 CPU-s available (2 cores × 20 s)", and the share other processes took. */
  end(): Usage {
    const end = this.sample();
    const wall = end.wall - this.start.wall;
    const cores = os.availableParallelism();
    const parts: string[] = [];
    let ours = 0;
    for (const [label, after] of end.procs) {
      const before = this.start.procs.get(label);
      if (after !== null && before !== null && before !== undefined) {
        parts.push(`${label} ${(after - before).toFixed(1)} s`);
        ours += after - before;
      }
    }
    let othersShare = 0;
    if (end.machine !== null && this.start.machine !== null) {
      const others = Math.max(0, end.machine - this.start.machine - ours);
      othersShare = others / (wall * cores);
      parts.push(`other processes ${others.toFixed(1)} s`);
    }
    return { text: `${parts.join(', ')} — of ${(wall * cores).toFixed(0)} CPU-s available (${cores} cores × ${wall.toFixed(0)} s)`, othersShare };
  }
}
