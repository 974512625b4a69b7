// A throwaway cluster (src/cluster) for the chaos run and the bench: ports from a free
// range, Temporal's store in two PostgreSQL databases of its own, dropped at the end.
import crypto from 'node:crypto';
import { ensureTemporalServer } from '../src/cluster/binaries';
import { Cluster, type ClusterOptions } from '../src/cluster/cluster';
import { freeBase, planPorts } from '../src/cluster/ports';
import { dropSchemas } from '../src/cluster/schema';
import { storeOf } from '../src/cluster/store';
import type { Cleanup } from './cleanup';

export interface ThrowawayCluster {
  /** prefix of the store's database names (guichet_chaos → guichet_chaos_t_1a2b3c4d) */
  prefix: string;
  dataDir: string;
  logDir?: string;
  databaseUrl: string;
  guichetEnv: Record<string, string>;
  workers: number;
  log: ClusterOptions['log'];
  /** between Temporal and Guichet's processes (the chaos run seeds the database there) */
  beforeGuichet?: () => Promise<void>;
}

/** TEMPORAL_POSTGRES_URL, or PostgreSQL on this machine. */
const postgresUrl = (): string => process.env.TEMPORAL_POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432';

/** The cluster's Temporal only: its store, two nodes, their proxy and the namespace. */
export async function startThrowawayTemporal(cleanup: Cleanup, o: ThrowawayCluster): Promise<Cluster> {
  const binaries = await ensureTemporalServer(o.log);
  const hex = crypto.randomBytes(4).toString('hex');
  const store = storeOf(postgresUrl(), `${o.prefix}_t_${hex}`, `${o.prefix}_v_${hex}`);
  if (!store) {
    throw new Error(`TEMPORAL_POSTGRES_URL is not a postgres:// address: ${postgresUrl()}`);
  }
  cleanup.push(`drop the Temporal store (${store.database}, ${store.visibilityDatabase})`, () => dropSchemas(binaries, store));
  const shape = { nodes: 2, webs: 2, workers: o.workers };
  const ports = planPorts({ ...shape, base: await freeBase(shape) });
  const cluster = new Cluster({
    dataDir: o.dataDir, logDir: o.logDir, ports, store, databaseUrl: o.databaseUrl, namespace: 'default',
    guichetEnv: o.guichetEnv, log: o.log, binaries,
  });
  cleanup.push('stop the cluster', () => cluster.stop());
  await cluster.startTemporal();
  return cluster;
}

export async function startThrowawayCluster(cleanup: Cleanup, o: ThrowawayCluster): Promise<Cluster> {
  const cluster = await startThrowawayTemporal(cleanup, o);
  await o.beforeGuichet?.();
  await cluster.startGuichet();
  return cluster;
}
