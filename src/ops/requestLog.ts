// Every HTTP request: an id (X-Request-Id, the caller's when it is sane), one log line
// when it ends (route pattern, status, time, agent, workflow), and its time in the
// latency histogram. Never the raw URL: query strings hold searched names, paths hold
// tracking codes.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { logger } from './logger';
import { httpDuration } from './metrics';

/** A proxy's or a client's id is kept when it is short and plain; anything else is replaced. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(given: string | string[] | undefined): string {
  const id = Array.isArray(given) ? given[0] : given;
  return id !== undefined && SANE_ID.test(id) ? id : crypto.randomUUID();
}

/** The pattern of the route that answered (`/api/requests/:reference/take`), or what kind of thing did. */
export function routeOf(req: Request): string {
  if (req.route?.path !== undefined) {
    return `${req.baseUrl}${String(req.route.path)}`;
  }
  return req.originalUrl.startsWith('/static/') ? '/static' : 'unmatched';
}

/** The agent behind the request: their session, or their API token. */
function agentIdOf(req: Request): number | undefined {
  if (req.caller?.kind === 'agent') {
    return req.caller.agent.id;
  }
  const id = (req as Request & { session?: { agentId?: number } }).session?.agentId;
  return typeof id === 'number' ? id : undefined;
}

/** `request-<reference>`, the workflow of the request a route names. */
function workflowIdOf(req: Request): string | undefined {
  const reference = req.params?.reference;
  return typeof reference === 'string' && reference !== '' ? `request-${reference}` : undefined;
}

export function requestLogging() {
  const http = pinoHttp({
    logger,
    // The id on every line of the request (req.log too), at the top: `reqId`.
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Nothing of the request itself: the line is made of the properties below.
    serializers: { req: (req: { method?: string }) => ({ method: req.method }), res: (res: { statusCode?: number }) => ({ status: res.statusCode }) },
    customProps: (req: IncomingMessage) => {
      const r = req as Request;
      return r.route ? { route: routeOf(r), agentId: agentIdOf(r), workflowId: workflowIdOf(r), partnerKeyId: r.caller?.kind === 'partner' ? r.caller.tokenId : undefined } : {};
    },
    // The load balancer's probes and Prometheus's scrapes would drown the rest.
    autoLogging: { ignore: (req: IncomingMessage) => /^\/(healthz|readyz|metrics)(\?|$)/.test(req.url ?? '') || (req.url ?? '').startsWith('/static/') },
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : 'info'),
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = httpDuration.startTimer();
    res.once('finish', () => {
      end({ method: req.method, route: routeOf(req), status: String(res.statusCode) });
    });
    http(req, res, next);
  };
}
