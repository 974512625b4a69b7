// Stopping a web process without cutting anyone off (SIGTERM, SIGINT): /readyz says 503 at
// once, the listening socket closes (new connections are refused, a load balancer tries
// another process), idle kept-alive connections close, and the requests in flight run to
// their end, then their connections close too, all within a grace period.
import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { CommandError } from '../commands/errors';
import { logger } from '../ops/logger';

/** The operators' probes still answer during the drain: /readyz is how a load balancer learns it. */
const OPS_PATHS = /^\/(healthz|readyz|metrics)$/;

export class Drain {
  private draining = false;
  private readonly inFlight = new Set<Response>();
  private server: Server | null = null;

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Among the web app's first middlewares: follows each request to its response's end. A
   * request that arrives during the drain (on a connection opened before it) gets a 503 and
   * writes nothing, its connection closed after the answer.
   */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    this.inFlight.add(res);
    res.once('close', () => this.settled(res));
    if (!this.draining) {
      next();
      return;
    }
    res.setHeader('Connection', 'close');
    next(OPS_PATHS.test(req.path) ? undefined : CommandError.of(503, 'SHUTTING_DOWN'));
  };

  /**
   * Begins the drain and resolves once every connection has closed, or once `graceMs`
   * has passed, when the requests still running are cut (and counted in the log).
   */
  async stop(server: Server, graceMs: number): Promise<void> {
    this.draining = true;
    this.server = server;
    for (const res of this.inFlight) {
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
      }
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Node's close() also closes the connections idle at this moment.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    logger.info({ inFlight: this.inFlight.size, graceMs }, 'web: draining');
    if ((await Promise.race([closed, late])) === 'late') {
      logger.warn({ cut: this.inFlight.size, graceMs }, 'web: grace period over, requests still running are cut');
      server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
  }

  private settled(res: Response): void {
    this.inFlight.delete(res);
    // A response whose headers left before the drain kept its connection alive: it is idle now.
    if (this.draining) {
      setImmediate(() => this.server?.closeIdleConnections());
    }
  }
}
