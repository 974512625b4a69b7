// The worker's small HTTP server (METRICS_PORT): the operators' addresses and nothing else.
import type { Server } from 'node:http';
import express from 'express';
import { opsRoutes } from './endpoints';

export async function serveOps(port: number, opts: Parameters<typeof opsRoutes>[0]): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.use(opsRoutes(opts));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND' } });
  });
  return new Promise<Server>((resolve, reject) => {
    const server = app.listen(port, () => resolve(server)).on('error', reject);
  });
}
