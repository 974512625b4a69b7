import path from 'node:path';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { temporalAddressOf, type Config } from './config';
import type { Ctx } from './commands/context';
import { startPendingWorkflows } from './commands/submit';
import { ensureAnnouncerWorkflow, ensureDigestWorkflow } from './accounts/digestSchedule';
import { connect, migrate, type Db } from './db/connection';
import { createTransport, type Transport } from './mail/transport';
import { connectClient } from './temporal/client';
import { startDevServer, type DevServer } from './temporal/devServer';
import { createWorker, type Workers } from './temporal/worker';
import { closeWebApp, createWebApp, listenWeb } from './web/server';
import { Drain } from './web/drain';
import { logger } from './ops/logger';
import { serveOps } from './ops/server';
import { pingDatabase } from './db/opsFigures';

/** The parts one process holds; `close` stops them in the right order. */
export class Runtime {
  private readonly stops: (() => Promise<void> | void)[] = [];
  db!: Db;
  client?: Client;
  worker?: { worker: Workers; connection: NativeConnection };
  transport!: Transport;
  address!: string;

  constructor(readonly config: Config, private readonly log: (line: string) => void = (line) => logger.info(line)) {}

  get ctx(): Ctx {
    if (!this.client) {
      throw new Error('client Temporal non connecté');
    }
    return { db: this.db, client: this.client, config: this.config, transport: this.transport };
  }

  async openDatabase(): Promise<Db> {
    this.db = connect(this.config);
    this.stops.push(() => this.db.destroy());
    await migrate(this.db);
    return this.db;
  }

  /** The configured Temporal, or (embedded default) a dev server started here. */
  async openTemporal(embedded: boolean): Promise<void> {
    this.address = temporalAddressOf(this.config);
    if (embedded && !this.config.temporalAddress) {
      const dev: DevServer = await startDevServer({
        dbFile: path.join(this.config.dataDir, 'temporal.sqlite'),
        port: this.config.temporalDevPort,
        uiPort: this.config.temporalUiPort,
        namespace: this.config.temporalNamespace,
        log: this.log,
        ownProcessGroup: true,
      });
      this.stops.push(() => dev.stop());
      this.log(`Temporal dev server on ${dev.address}, its web UI on http://localhost:${this.config.temporalUiPort}`);
    }
    this.client = await connectClient(this.address, this.config.temporalNamespace);
    this.stops.push(() => this.client?.connection.close());
    this.transport = createTransport(this.config.smtpUrl);
    this.stops.push(() => this.transport.close());
  }

  async startWorker(): Promise<Workers> {
    const { worker, connection } = await createWorker({
      db: this.db,
      transport: this.transport,
      config: this.config,
      address: this.address,
      namespace: this.config.temporalNamespace,
      taskQueue: this.config.taskQueue,
    });
    const running = worker.run();
    this.worker = { worker, connection };
    const sweep = () => {
      startPendingWorkflows(this.ctx)
        .then((n) => n > 0 && this.log(`started the workflows of ${n} request(s) left without one`))
        .catch((err: Error) => this.log(`intake sweep: ${err.message}`));
    };
    sweep();
    const timer = setInterval(sweep, 5 * 60_000).unref();
    ensureDigestWorkflow(this.ctx).catch((err: Error) => this.log(`daily digest: ${err.message}`));
    ensureAnnouncerWorkflow(this.ctx).catch((err: Error) => this.log(`new request e-mails: ${err.message}`));
    this.stops.push(async () => {
      clearInterval(timer);
      if (worker.getState() === 'RUNNING') {
        // Stops polling; the activities in flight finish within the grace (src/temporal/worker.ts).
        this.log('worker: draining');
        worker.shutdown();
      }
      await running.catch((err: Error) => this.log(`worker stopped with activities still running (another worker retries them): ${err.message}`));
      await connection.close();
    });
    return worker;
  }

  /**
   * `guichet worker` with METRICS_PORT: /metrics, /healthz and /readyz on that port (the
   * worker has no web server of its own; in `guichet start` the web's serve both).
   */
  async serveWorkerOps(port: number): Promise<Server> {
    const running = this.worker;
    if (!running) {
      throw new Error('worker not started');
    }
    const server = await serveOps(port, {
      db: this.db,
      metricsToken: this.config.metricsToken,
      probes: [
        { name: 'database', check: () => pingDatabase(this.db) },
        { name: 'temporal', check: async () => { await running.connection.workflowService.getSystemInfo({}); } },
        { name: 'worker', check: async () => { if (running.worker.getState() !== 'RUNNING') { throw new Error(running.worker.getState()); } } },
      ],
    });
    this.stops.push(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    return server;
  }

  async startWeb(): Promise<Server> {
    const drain = new Drain();
    const app = createWebApp(this.ctx, { drain });
    const server = await listenWeb(app, this.config.port);
    // Stopped first (the stops run in reverse): the requests in flight still have Temporal,
    // the database and, in `guichet start`, the worker their Updates wait for.
    this.stops.push(async () => {
      await drain.stop(server, this.config.shutdownGraceSeconds * 1000);
      closeWebApp(app);
    });
    return server;
  }

  async close(): Promise<void> {
    for (const stop of this.stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        this.log(`while stopping: ${(err as Error).message}`);
      }
    }
    this.stops.length = 0;
  }
}
