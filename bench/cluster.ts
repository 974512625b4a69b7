// `npm run bench -- --only cluster`: the intake through the web proxy of a cluster (two
// Temporal nodes on PostgreSQL behind their proxy, two webs on MariaDB) beside the same
// cluster's bare workflow-start ceiling (a client through the same Temporal proxy), with
// one worker and then with two. Each worker count: ceiling, intake, the worker's backlog.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { AdminError } from '../src/admin';
import type { Cluster } from '../src/cluster/cluster';
import { connect, migrate } from '../src/db/connection';
import { t } from '../src/i18n';
import { DEMO_PARTNER_KEY, seedReferenceData } from '../src/seed/demo';
import { connectClient } from '../src/temporal/client';
import { waitForWorker, type Drain } from './actions';
import { measureCeiling, type CeilingResult } from './ceiling';
import type { Cleanup } from './cleanup';
import { startThrowawayCluster } from './clusterEnv';
import { CpuMeter, databaseServerPid, type Proc, type Usage } from './cpu';
import { createSchema } from './env';
import { measureIntake, type IntakeResult, type LoadOptions } from './intake';
import { describeLatencies, round1 } from './stats';

type Log = (line: string) => void;

export interface ClusterFigures {
  workers: number;
  ceiling: CeilingResult;
  ceilingCpu: Usage;
  intake: IntakeResult;
  intakeCpu: Usage;
  drain: Drain;
}

function procsOf(cluster: Cluster): Proc[] {
  const procs: Proc[] = [{ label: 'bench', pid: process.pid }];
  for (const p of cluster.processes) {
    if (p.running && p.pid !== null) {
      procs.push({ label: p.label, pid: p.pid });
    }
  }
  const mariadb = databaseServerPid();
  return mariadb === null ? procs : [...procs, { label: 'mariadbd (shared)', pid: mariadb }];
}

async function metered<T>(meter: CpuMeter, fn: () => Promise<T>): Promise<[T, Usage]> {
  meter.begin();
  const result = await fn();
  return [result, meter.end()];
}

async function measureWith(cluster: Cluster, client: Client, db: ReturnType<typeof connect>, opts: LoadOptions, log: Log): Promise<ClusterFigures> {
  const workers = cluster.workers.filter((w) => w.running).length;
  const meter = new CpuMeter(() => procsOf(cluster));
  log(`cluster, ${workers} worker(s): ceiling through the Temporal proxy, warming up (3 s), then ${opts.connections} concurrent starts for ${opts.durationS} s…`);
  await measureCeiling(client, { ...opts, durationS: 3 });
  const [ceiling, ceilingCpu] = await metered(meter, () => measureCeiling(client, opts));
  log(`cluster, ${workers} worker(s): intake through the web proxy, warming up (3 s), then ${opts.connections} concurrent clients for ${opts.durationS} s…`);
  await measureIntake(cluster.webUrl, DEMO_PARTNER_KEY, { ...opts, durationS: 3 });
  await waitForWorker(db, 600);
  const [intake, intakeCpu] = await metered(meter, () => measureIntake(cluster.webUrl, DEMO_PARTNER_KEY, opts));
  log(`cluster, ${workers} worker(s): waiting for the worker(s) to catch up…`);
  const drain = await waitForWorker(db, 600);
  return { workers, ceiling, ceilingCpu, intake, intakeCpu, drain };
}

export async function benchCluster(cleanup: Cleanup, opts: LoadOptions, log: Log): Promise<ClusterFigures[]> {
  const base = process.env.DATABASE_URL?.trim() ?? '';
  if (!/^mysql2?:\/\//.test(base)) {
    throw new AdminError(t('cluster.benchNeedsMysql'));
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-cluster-'));
  cleanup.push(`remove ${dataDir}`, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const databaseUrl = await createSchema(base, cleanup, 'guichet_bench');
  const db = connect({ databaseUrl, dataDir });
  const cluster = await startThrowawayCluster(cleanup, {
    prefix: 'guichet_bench', dataDir, databaseUrl, workers: 2, log,
    guichetEnv: { TEMPORAL_TASK_QUEUE: 'guichet-bench' },
    beforeGuichet: async () => {
      cleanup.push('close the database', () => db.destroy());
      await migrate(db);
      await seedReferenceData(db);
    },
  });
  log(`cluster: ${cluster.nodes.length} Temporal nodes behind ${cluster.temporalAddress}, ${cluster.webs.length} webs behind ${cluster.webUrl}, MariaDB ${new URL(databaseUrl).pathname.slice(1)}; logs in ${cluster.logDir}`);
  const client = await connectClient(cluster.temporalAddress, 'default');
  cleanup.push('close the Temporal client', () => client.connection.close());
  const [, second] = cluster.workers;
  await second.stop();
  const one = await measureWith(cluster, client, db, opts, log);
  await second.start();
  const two = await measureWith(cluster, client, db, opts, log);
  return [one, two];
}

export function reportCluster(figures: ClusterFigures[], opts: LoadOptions, log: Log): void {
  log('');
  for (const f of figures) {
    const { ceiling: c, intake: i, drain: d } = f;
    log(`cluster  ${f.workers} worker(s), 2 Temporal nodes, 2 webs behind proxies:`);
    log(`         ceiling ${round1(c.perSec)} workflow starts/s (${c.started} started, ${c.errors} errors${c.firstError ? `: ${c.firstError}` : ''}); start latency ${describeLatencies(c)}`);
    log(`         CPU (ceiling): ${f.ceilingCpu.text}`);
    log(`         intake ${round1(i.perSec)} requests accepted/s (${i.accepted} × 201 in ${opts.durationS} s, non-2xx ${i.non2xx}, errors ${i.errors}, timeouts ${i.timeouts}, status codes ${JSON.stringify(i.statusCodes)}); latency ${describeLatencies(i)}`);
    log(`         CPU (intake): ${f.intakeCpu.text}`);
    log(`         intake / ceiling = ${round1((100 * i.perSec) / Math.max(c.perSec, 1e-9))} %`);
    log(d.seconds === null
      ? `         worker(s) still behind after 600 s (backlog was ${d.backlog} requests)`
      : `         worker(s) finished the arrival work of ${d.backlog} requests ${round1(d.seconds)} s after the load stopped (${round1(d.backlog / Math.max(d.seconds, 1e-9))} requests/s)`);
  }
  if (figures.some((f) => Math.max(f.ceilingCpu.othersShare, f.intakeCpu.othersShare) > 0.15)) {
    log('warning  other processes used more than 15 % of the CPU during a measurement: these figures are noisy');
  }
}

/** For the bench's last line. */
export function clusterJson(figures: ClusterFigures[]): Record<string, number> {
  const json: Record<string, number> = {};
  for (const f of figures) {
    const k = `cluster${f.workers}Worker${f.workers > 1 ? 's' : ''}`;
    json[`${k}IntakePerSec`] = round1(f.intake.perSec);
    json[`${k}CeilingPerSec`] = round1(f.ceiling.perSec);
    json[`${k}IntakeP95Ms`] = round1(f.intake.p95);
  }
  return json;
}
