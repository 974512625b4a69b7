// `guichet cluster`: the production shape started on this machine (src/cluster), until Ctrl-C.
import path from 'node:path';
import type { Command } from 'commander';
import { AdminError } from '../admin';
import { Cluster } from '../cluster/cluster';
import { planPorts, takenPorts } from '../cluster/ports';
import { storeOf } from '../cluster/store';
import { loadConfig } from '../config';
import { t } from '../i18n';

const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/guichet_cluster';

interface Options {
  dataDir?: string;
  basePort: string;
  temporalPort: string;
  port?: string;
  postgres: string;
}

function port(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65_535) {
    throw new AdminError(t('cli.config.port', { name, raw }));
  }
  return n;
}

async function clusterOf(o: Options): Promise<Cluster> {
  const databaseUrl = process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  if (!/^mysql2?:\/\//.test(databaseUrl)) {
    throw new AdminError(t('cluster.mysqlRequired', { raw: databaseUrl }));
  }
  const store = storeOf(o.postgres);
  if (!store) {
    throw new AdminError(t('cluster.postgresUrl', { raw: o.postgres }));
  }
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl });
  const ports = planPorts({
    base: port(o.basePort, '--base-port'), nodes: 2, webs: 2, workers: 2,
    temporalProxy: port(o.temporalPort, '--temporal-port'), webProxy: o.port ? port(o.port, '--port') : config.port,
  });
  const taken = await takenPorts(ports);
  if (taken.length > 0) {
    throw new AdminError(t('cluster.portsTaken', { ports: taken.join(', ') }));
  }
  return new Cluster({
    dataDir: path.resolve(o.dataDir ?? path.join(config.dataDir, 'cluster')),
    ports, store, databaseUrl, namespace: config.temporalNamespace, log: (line) => console.log(line),
  });
}

export function clusterCommand(cli: Command): void {
  cli.command('cluster').description(t('cluster.description'))
    .option('--data-dir <dir>', t('cluster.dataDir'))
    .option('--base-port <port>', t('cluster.basePort'), '7300')
    .option('--temporal-port <port>', t('cluster.temporalPort'), '7233')
    .option('--port <port>', t('cluster.port'))
    .option('--postgres <url>', t('cluster.postgres'), 'postgres://postgres@127.0.0.1:5432')
    .action(async (o: Options) => {
      const began = Date.now();
      const cluster = await clusterOf(o);
      let stopping: Promise<void> | null = null;
      const stop = (signal: string) => {
        console.log(t('cluster.stopping', { signal }));
        stopping ??= cluster.stop().then(() => {
          console.log(t('cluster.stopped'));
          process.exit(0);
        });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      await cluster.start();
      console.log(t('cluster.ready', { seconds: Math.round((Date.now() - began) / 1000) }));
      cluster.describe().forEach((line) => console.log(line));
    });
}
