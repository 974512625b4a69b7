// The operators' addresses, on the web server and on the worker's metrics port:
// /healthz (the process answers), /readyz (what it needs answers), /metrics (Prometheus).
// No session, no personal data; /metrics only to whom METRICS_TOKEN or the machine allows.
import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { Db } from '../db/connection';
import { t } from '../i18n';
import { logger } from './logger';
import { metricsText } from './metrics';
import { withTimeout } from './timeout';

/** One part a process needs; `check` throws when it does not answer. */
export interface Probe {
  name: string;
  check(): Promise<void>;
}

/** Each part gets this long: a load balancer's probe must not hang on a part that hangs. */
const PROBE_MS = 2000;

async function answers(probe: Probe): Promise<boolean> {
  try {
    await withTimeout(probe.check(), PROBE_MS);
    return true;
  } catch (err) {
    logger.warn({ err, part: probe.name }, `readyz: ${probe.name} does not answer`);
    return false;
  }
}

const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * With METRICS_TOKEN, `Authorization: Bearer <token>` from anywhere. Without, only a
 * connection from this machine that no proxy relayed: a reverse proxy on the same machine
 * would otherwise make every visitor look local.
 */
export function metricsAllowed(req: Request, token: string | null): boolean {
  if (token) {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    return match !== null && sameToken(match[1], token);
  }
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  return loopback && PROXY_HEADERS.every((h) => req.headers[h] === undefined);
}

export function opsRoutes(opts: { db: Db; probes: Probe[]; metricsToken: string | null; draining?: () => boolean }): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ ok: true });
  });
  router.get('/readyz', async (_req: Request, res: Response) => {
    if (opts.draining?.()) {
      // Stopping (SIGTERM): out of the load balancer at once, whatever the parts answer.
      res.set('Cache-Control', 'no-store').status(503).json({ ready: false, draining: true });
      return;
    }
    const results = await Promise.all(opts.probes.map(async (p) => [p.name, (await answers(p)) ? 'ok' : 'down'] as const));
    const ready = results.every(([, state]) => state === 'ok');
    res.set('Cache-Control', 'no-store').status(ready ? 200 : 503).json({ ready, checks: Object.fromEntries(results) });
  });
  router.get('/metrics', async (req: Request, res: Response) => {
    if (!metricsAllowed(req, opts.metricsToken)) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: t('errors.FORBIDDEN') } });
      return;
    }
    const { contentType, body } = await metricsText(opts.db);
    res.set('Cache-Control', 'no-store').type(contentType).send(body);
  });
  return router;
}
