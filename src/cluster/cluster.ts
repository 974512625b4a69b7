// The production shape on one machine: a Temporal cluster of several nodes on one
// PostgreSQL store, behind one TCP proxy; Guichet's web and worker processes on
// MySQL/MariaDB, the webs behind one proxy too. Each part is a handle the chaos run and
// the bench can kill (-9), restart or stop; `start` brings up everything in order and
// `stop` takes it down in the reverse order.
import fs from 'node:fs';
import path from 'node:path';
import { ensureTemporalServer, type TemporalBinaries } from './binaries';
import { GuichetProcess } from './guichetProcess';
import { ensureMysqlDatabase } from './guichetDatabase';
import { registerNamespace, waitForNamespace, RETENTION_DAYS } from './namespace';
import { writeNodeConfig, type StoreSettings } from './nodeConfig';
import type { ClusterPorts } from './ports';
import { TcpProxy } from './proxy';
import { setupSchemas } from './schema';
import { TemporalNode } from './temporalNode';
import { keptSessionSecret } from '../accounts/sessionSecret';
import { t } from '../i18n';

export interface ClusterOptions {
  /** configs, the session secret, Guichet's DATA_DIR and every process's log */
  dataDir: string;
  ports: ClusterPorts;
  /** Temporal's store (PostgreSQL) */
  store: StoreSettings;
  /** Guichet's database (mysql://…), created when missing */
  databaseUrl: string;
  namespace: string;
  retentionDays?: number;
  /** more variables for the Guichet processes (SMTP_URL, TEMPORAL_TASK_QUEUE…); they win over the cluster's own */
  guichetEnv?: Record<string, string>;
  log: (line: string) => void;
  /** a Temporal server already built (the chaos run needs it before, to drop its store after) */
  binaries?: TemporalBinaries;
  /** where the processes' logs go; <dataDir>/logs by default (the chaos run keeps them apart) */
  logDir?: string;
}

/**
 * A process that exits before being ready (Temporal not answering yet on a loaded
 * machine) is started again, twice at most, as a supervisor (systemd) would.
 */
async function startRetrying(p: GuichetProcess, log: (line: string) => void, stopping: () => boolean): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await p.start();
      return;
    } catch (err) {
      if (attempt === 3 || stopping()) {
        throw err;
      }
      log(t('cluster.retry', { label: p.label, message: (err as Error).message }));
    }
  }
}

export class Cluster {
  nodes: TemporalNode[] = [];
  webs: GuichetProcess[] = [];
  workers: GuichetProcess[] = [];
  temporalProxy!: TcpProxy;
  webProxy!: TcpProxy;
  /** set by `stop`: a start under way is not tried again */
  private stopping = false;
  /** what `stop` undoes, in reverse order */
  private readonly started: (() => Promise<void>)[] = [];

  constructor(readonly opts: ClusterOptions) {}

  get temporalAddress(): string {
    return `127.0.0.1:${this.opts.ports.temporalProxy}`;
  }

  get webUrl(): string {
    return `http://127.0.0.1:${this.opts.ports.webProxy}`;
  }

  get logDir(): string {
    return this.opts.logDir ?? path.join(this.opts.dataDir, 'logs');
  }

  /** Every process, for a supervisor's watch or a CPU meter. */
  get processes(): (TemporalNode | GuichetProcess)[] {
    return [...this.nodes, ...this.workers, ...this.webs];
  }

  /** The variables every Guichet process gets: the proxies' addresses, the shared secret, the database. */
  guichetEnv(): Record<string, string> {
    const { dataDir, databaseUrl, namespace } = this.opts;
    return {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      SESSION_SECRET: keptSessionSecret(dataDir),
      DATA_DIR: path.join(dataDir, 'guichet'),
      PUBLIC_URL: this.webUrl,
      ...this.opts.guichetEnv,
    };
  }

  /** Everything; on a failure, what started is stopped again. */
  async start(): Promise<void> {
    await this.startTemporal();
    await this.startGuichet();
  }

  /** The store's schemas, the nodes, their proxy, the namespace. */
  async startTemporal(): Promise<void> {
    await this.undoneOnFailure(async () => {
      fs.mkdirSync(this.logDir, { recursive: true });
      const binaries = this.opts.binaries ?? (await ensureTemporalServer(this.opts.log));
      this.opts.log(t('cluster.schemas', { database: this.opts.store.database, visibility: this.opts.store.visibilityDatabase }));
      await setupSchemas(binaries, this.opts.store);
      await this.startNodes(binaries);
    });
  }

  /** Guichet's database (made if missing), its workers, webs and their proxy. */
  async startGuichet(): Promise<void> {
    await this.undoneOnFailure(async () => {
      await ensureMysqlDatabase(this.opts.databaseUrl);
      await this.startProcesses();
    });
  }

  private async undoneOnFailure(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async startNodes(binaries: TemporalBinaries): Promise<void> {
    const { ports, store, dataDir, namespace, log } = this.opts;
    this.nodes = ports.nodes.map((nodePorts, i) => {
      const label = `temporal-${i + 1}`;
      const root = writeNodeConfig(path.join(dataDir, label), binaries.moduleDir, nodePorts, store, this.temporalAddress);
      return new TemporalNode(label, path.join(this.logDir, `${label}.log`), binaries, root, nodePorts);
    });
    this.started.push(() => Promise.all(this.nodes.map((n) => n.stop())).then(() => undefined));
    log(t('cluster.startingNodes', { count: this.nodes.length }));
    // The first node alone: it writes the cluster's metadata (shard count) the others then read.
    await this.nodes[0].start();
    await Promise.all(this.nodes.slice(1).map((n) => n.start()));
    this.temporalProxy = new TcpProxy('temporal', this.nodes.map((n) => ({ host: '127.0.0.1', port: n.ports.frontend })));
    await this.temporalProxy.listen(ports.temporalProxy);
    this.started.push(() => this.temporalProxy.close());
    const retention = this.opts.retentionDays ?? RETENTION_DAYS;
    const how = await registerNamespace(this.temporalAddress, namespace, retention);
    log(t(how === 'registered' ? 'cluster.namespaceRegistered' : 'cluster.namespaceUpdated', { namespace, days: retention }));
    await waitForNamespace(this.nodes.map((n) => n.address), namespace);
  }

  private async startProcesses(): Promise<void> {
    const { ports, log } = this.opts;
    const env = { ...process.env, ...this.guichetEnv() };
    this.workers = ports.workerMetrics.map((metricsPort, i) => new GuichetProcess(
      'worker', path.join(this.logDir, `worker-${i + 1}.log`), { ...env, METRICS_PORT: String(metricsPort) }, metricsPort, `worker-${i + 1}`));
    this.webs = ports.webs.map((port, i) => new GuichetProcess(
      'web', path.join(this.logDir, `web-${i + 1}.log`), { ...env, PORT: String(port) }, port, `web-${i + 1}`));
    // Stopped before Temporal: a web first stops taking requests, a worker drains its tasks.
    this.started.push(() => Promise.all(this.workers.map((w) => w.stop())).then(() => undefined));
    this.started.push(() => Promise.all(this.webs.map((w) => w.stop())).then(() => undefined));
    log(t('cluster.startingGuichet', { webs: this.webs.length, workers: this.workers.length }));
    // All at once, as a deployment would: the migration lock lets one process migrate.
    await Promise.all([...this.workers, ...this.webs].map((p) => startRetrying(p, log, () => this.stopping)));
    this.webProxy = new TcpProxy('web', this.webs.map((w) => ({ host: '127.0.0.1', port: w.port! })));
    await this.webProxy.listen(ports.webProxy);
    this.started.push(() => this.webProxy.close());
  }

  /** Web proxy, webs, workers, Temporal proxy, nodes: each part's users go before it. */
  async stop(): Promise<void> {
    this.stopping = true;
    while (this.started.length > 0) {
      const step = this.started.pop()!;
      try {
        await step();
      } catch (err) {
        this.opts.log(`stop: ${(err as Error).message}`);
      }
    }
  }

  /** What listens where, for the terminal. */
  describe(): string[] {
    const { ports, dataDir } = this.opts;
    return [
      t('cluster.addressWeb', { url: this.webUrl, backends: ports.webs.map((p) => `:${p}`).join(', ') }),
      t('cluster.addressTemporal', { address: this.temporalAddress, backends: this.nodes.map((n) => `:${n.ports.frontend}`).join(', ') }),
      t('cluster.addressWorkers', { ports: ports.workerMetrics.map((p) => `http://127.0.0.1:${p}/metrics`).join(', ') }),
      t('cluster.addressNodeMetrics', { ports: this.nodes.map((n) => `http://127.0.0.1:${n.ports.metrics}/metrics`).join(', ') }),
      t('cluster.logs', { dir: this.logDir, dataDir }),
    ];
  }
}
