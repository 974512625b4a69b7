// `npm run chaos -- --cluster`: the same journeys and faults on the production shape
// (src/cluster): two Temporal nodes on PostgreSQL, two webs and two workers on MariaDB,
// each pair behind its proxy. The faults kill the first node, worker and web; the second
// of each carries on, and is watched like the others.
import { AdminError } from '../../src/admin';
import { connectClient } from '../../src/temporal/client';
import { t } from '../../src/i18n';
import { Cleanup } from '../cleanup';
import { startThrowawayCluster } from '../clusterEnv';
import { chaosBasics, mysqlLabel, prepareData, type ChaosOptions, type Log, type Stack } from './stack';

export async function startClusterStack(cleanup: Cleanup, opts: ChaosOptions, log: Log): Promise<Stack> {
  if (!/^mysql2?:\/\//.test(process.env.DATABASE_URL?.trim() ?? '')) {
    throw new AdminError(t('cluster.chaosNeedsMysql'));
  }
  const { logDir, dataDir, databaseUrl, mailbox } = await chaosBasics(cleanup, opts, log);
  let data: Awaited<ReturnType<typeof prepareData>> | null = null;
  const guichetEnv = { TEMPORAL_TASK_QUEUE: 'guichet-chaos', SMTP_URL: mailbox.url };
  const cluster = await startThrowawayCluster(opts.keep ? new Cleanup() : cleanup, {
    prefix: 'guichet_chaos', dataDir, logDir, databaseUrl: databaseUrl!, guichetEnv, workers: 2, log,
    beforeGuichet: async () => {
      data = await prepareData(cleanup, { DATA_DIR: dataDir, DATABASE_URL: databaseUrl!, ...guichetEnv });
    },
  });
  if (opts.keep) {
    // The store is kept with the rest; the processes stop all the same.
    cleanup.push('stop the cluster', () => cluster.stop());
  }
  const { db, partnerKey, agentTokens } = data!;
  const client = await connectClient(cluster.temporalAddress, 'default');
  cleanup.push('close the Temporal client', () => client.connection.close());
  const [temporal, ...otherNodes] = cluster.nodes;
  const [worker, ...otherWorkers] = cluster.workers;
  const [web, ...otherWebs] = cluster.webs;
  return {
    db, client, temporal, worker, web, others: [...otherNodes, ...otherWorkers, ...otherWebs],
    temporalAddress: `${cluster.temporalAddress} (proxy to ${cluster.nodes.map((n) => n.address).join(', ')})`,
    mailbox, partnerKey, agentTokens, baseUrl: cluster.webUrl, logDir, databaseLabel: mysqlLabel(databaseUrl!),
  };
}
