import type { Server } from 'node:http';
import path from 'node:path';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import express, { type NextFunction, type Request, type Response } from 'express';
import { sessionSavedBeforeRedirect } from './sessionRedirects';
import session from 'express-session';
import helmet from 'helmet';
import { csrfProtection } from './csrf';
import { multipartForms } from './uploads';
import { clientErrors } from './bodyErrors';
import type { Ctx } from '../commands/context';
import { unavailableError } from '../commands/unavailable';
import { CommandError } from '../commands/errors';
import type { Drain } from './drain';
import { SessionStore } from './sessionStore';
import { sessionSecretOf } from '../accounts/sessionSecret';
import { t } from '../i18n';
import { apiRouter } from './api';
import { agentRouter } from './agentRoutes';
import { viewEngine } from './viewEngine';
import { opsRoutes, type Probe } from '../ops/endpoints';
import { requestLogging } from '../ops/requestLog';
import { pingDatabase } from '../db/opsFigures';

declare module 'express-session' {
  interface SessionData {
    agentId: number;
  }
}

const viewsDir = path.resolve(__dirname, '../../views');

export function createWebApp(ctx: Ctx, opts: { drain?: Drain } = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.trustProxy);
  app.engine('hbs', viewEngine(viewsDir));
  app.set('view engine', 'hbs');
  // Templates compiled once, not at each render (Express turns this on only under
  // NODE_ENV=production): compiling them was 40 % of a page's time. GUICHET_VIEW_RELOAD=1
  // reads them again at each render, while one edits them.
  app.set('view cache', process.env.GUICHET_VIEW_RELOAD !== '1');
  app.locals.refreshSeconds = ctx.config.refreshSeconds;
  app.set('views', path.join(viewsDir, 'pages'));

  app.use(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      // No inline script anywhere: htmx and our scripts are files of this server.
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // The provider's login and logout pages are reached by a form's redirect (single sign-on).
        formAction: ["'self'", ...(ctx.config.sso ? [ctx.config.sso.issuer.origin] : [])],
        frameAncestors: ["'none'"],
      },
    },
  }));

  app.use(requestLogging());
  const drain = opts.drain;
  if (drain) {
    app.use(drain.middleware);
  }
  app.use(opsRoutes({ db: ctx.db, probes: webProbes(ctx), metricsToken: ctx.config.metricsToken, draining: () => drain?.isDraining ?? false }));
  // htmx and our CSS come from our own server: no CDN.
  app.use('/static/chartjs', express.static(path.dirname(require.resolve('chart.js')) /* its dist folder, which holds chart.umd.min.js */, { maxAge: '7d' }));
  app.use('/static/htmx', express.static(path.dirname(require.resolve('htmx.org/dist/htmx.min.js')), { maxAge: '7d' }));
  app.use('/static', express.static(path.resolve(__dirname, 'public'), { maxAge: '1h' }));

  app.use('/api', apiRouter(ctx));

  const sessionStore = new SessionStore({ knex: ctx.db, tableName: 'sessions', createTable: false });
  app.locals.sessionStore = sessionStore;
  app.use(session({
    store: sessionStore,
    secret: sessionSecretOf(ctx.config),
    name: 'guichet.sid',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: 10 * 3600 * 1000 },
  }));
  app.use(sessionSavedBeforeRedirect);
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(multipartForms(ctx));
  app.use(csrfProtection());
  app.use(agentRouter(ctx));

  // A body or URL that cannot be read (too large, malformed, undecodable): 4xx, not 500.
  app.use(clientErrors);
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (respondUnavailable(err, req, res)) {
      return;
    }
    req.log.error({ err }, 'unexpected error');
    if (req.path.startsWith('/api/')) {
      res.status(500).json({ error: { code: 'INTERNAL', message: t('errors.INTERNAL') } });
      return;
    }
    res.status(500).send(t('errors.INTERNAL'));
  });
  return app;
}

/** What /readyz asks: the database and the Temporal server answer. */
function webProbes(ctx: Ctx): Probe[] {
  return [
    { name: 'database', check: () => pingDatabase(ctx.db) },
    { name: 'temporal', check: async () => { await ctx.client.withDeadline(Date.now() + 2000, () => ctx.client.workflowService.getSystemInfo({})); } },
  ];
}

/**
 * Temporal or the database unreachable: 503 with the French message, shown without
 * touching the database (no navigation counters), as JSON, an htmx fragment or a page.
 */
function respondUnavailable(err: unknown, req: Request, res: Response): boolean {
  // A 503 of ours (the process is stopping) is shown the same way.
  const refusal = err instanceof CommandError && err.status === 503 ? err : unavailableError(err);
  if (!refusal || res.headersSent) {
    return false;
  }
  req.log.warn({ err, code: refusal.code }, `unavailable: ${refusal.code}`);
  res.status(503).set('Retry-After', '10');
  if (req.path.startsWith('/api/')) {
    res.json({ error: { code: refusal.code, message: refusal.message } });
  } else if (req.get('HX-Request') === 'true') {
    res.render('fragment', { partial: 'refusal', message: refusal.message, layout: false });
  } else {
    res.render('error', { title: t('ui.errorPage.title'), message: refusal.message });
  }
  return true;
}

/** Stops the session store's periodic cleanup, which would otherwise outlive the database. */
export function closeWebApp(app: express.Express): void {
  const store = app.locals.sessionStore as ConnectSessionKnexStore | undefined;
  clearTimeout(store?.nextDbCleanup);
}

/**
 * Listens with idle connections kept longer than the clients keep them (Node's fetch 4 s,
 * a reverse proxy's pool 60 s): the client then always closes an idle connection first,
 * and never sends a request on one the server is closing (read ECONNRESET).
 */
export function listenWeb(app: express.Express, port: number, host?: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const listening = () => resolve(server);
    const server = (host ? app.listen(port, host, listening) : app.listen(port, listening)).on('error', reject);
    server.keepAliveTimeout = 65_000;
    // Larger than keepAliveTimeout, as Node asks, or a kept connection's next headers may be cut.
    server.headersTimeout = 66_000;
  });
}
