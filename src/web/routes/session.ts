import express, { type NextFunction, type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { findAgentRowByCode, loadAgent, type Agent } from '../../db/agents';
import { checkPassword, hashPassword } from '../../passwords';
import { t } from '../../i18n';
import { can } from '../../policies';
import { LoginLimiter } from '../../accounts/loginLimiter';
import { ssoClientOf } from '../../accounts/sso';
import { presenceControl } from './presenceControl';
import { renderPage } from './render';
import { text } from './forms';

export type Role = 'agent' | 'admin';

declare module 'express-session' {
  interface SessionData {
    /** A message kept across a Post/Redirect/Get, shown once on the next page. */
    flash: { kind: 'error' | 'success'; message: string };
    /** What an administrator who also belongs to services chose to do after login. */
    role: Role;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    agent?: Agent;
  }
}

/** The logged-in agent of a route behind requireAgent. */
export function currentAgent(req: Request): Agent {
  if (!req.agent) {
    throw new Error('requireAgent must run before this route');
  }
  return req.agent;
}

/** Loads the session's agent when there is one; pages open to all still show the nav then. */
export function loadSessionAgent(ctx: Ctx) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const id = req.session.agentId;
    req.agent = id === undefined ? undefined : await loadAgent(ctx.db, id);
    if (req.agent) {
      const role = roleOf(req);
      // The header: who is logged in, the role switch and "Mon compte", on every page.
      res.locals.account = {
        name: req.agent.name, role, canSwitch: canChooseRole(req.agent), inAdmin: role === 'admin',
        // The presence control, for whoever may be given requests; after a change, back to this page (a GET's).
        presence: req.agent.serviceIds.length ? presenceControl(req.agent.presence, req.method === 'GET' ? req.originalUrl : '/') : null,
      };
    }
    next();
  };
}

/** An administrator who also works in services chooses between the two after login. */
export const canChooseRole = (agent: Agent): boolean => can(agent, 'administer') && agent.serviceIds.length > 0;

/** The role in force: an administrator of no service only administers, an agent only processes requests. */
export function roleOf(req: Request): Role {
  const agent = req.agent;
  if (!agent?.isAdmin) {
    return 'agent';
  }
  if (!canChooseRole(agent)) {
    return 'admin';
  }
  return req.session.role ?? 'agent';
}

/** Where an agent lands after login: the role choice, the administration, or the page asked for. */
export function landing(agent: Agent, retour: string): string {
  if (canChooseRole(agent)) {
    return `/role?retour=${encodeURIComponent(retour)}`;
  }
  return agent.isAdmin ? '/admin' : retour;
}

/** Only local paths: a login link must not send the agent to another site. */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

/** The page an htmx request came from (a poller's, a panel's): where to come back after logging in again, not the fragment. */
function pageOf(req: Request): string {
  const current = req.get('HX-Current-URL');
  if (!current) {
    return req.originalUrl;
  }
  try {
    const url = new URL(current, 'http://guichet');
    return safeReturn(`${url.pathname}${url.search}`);
  } catch {
    return '/';
  }
}

export function requireAgent(req: Request, res: Response, next: NextFunction): void {
  if (req.agent) {
    next();
    return;
  }
  const target = `/connexion?retour=${encodeURIComponent(req.get('HX-Request') ? pageOf(req) : req.originalUrl)}`;
  if (req.get('HX-Request')) {
    // A fetch would follow a redirect and swap the login page into a panel.
    res.set('HX-Redirect', target).status(401).end();
    return;
  }
  res.redirect(303, target);
}

// Checked when the code is unknown, so that a wrong code takes as long as a wrong password.
let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashPassword('guichet-decoy-password'));

async function authenticate(ctx: Ctx, code: string, password: string): Promise<number | null> {
  const row = code ? await findAgentRowByCode(ctx.db, code) : undefined;
  const ok = await checkPassword(row?.password_hash ?? (await decoyHash()), password);
  return row && ok && row.active ? row.id : null;
}

export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** The login page: the provider's button when single sign-on is set up, the password form unless turned off. */
export function loginPage(ctx: Ctx, req: Request, res: Response, model: Record<string, unknown>): Promise<void> {
  const sso = ctx.config.sso ? { name: ctx.config.sso.providerName } : null;
  return renderPage(ctx, req, res, 'login', { title: t('ui.login.title'), sso, passwordLogin: ctx.config.passwordLogin, ...model });
}

/** Refuses a password page (login, reset, activation) when PASSWORD_LOGIN=false: single sign-on only. */
export function passwordPagesOnly(ctx: Ctx) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (ctx.config.passwordLogin) {
      next();
      return;
    }
    res.status(403);
    await loginPage(ctx, req, res, { retour: '/', error: t('sso.login.passwordOff', { name: ctx.config.sso!.providerName }) });
  };
}

export function sessionRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  const limiter = new LoginLimiter(ctx.db);

  router.get('/connexion', async (req, res) => {
    if (req.agent) {
      res.redirect(303, safeReturn(req.query.retour));
      return;
    }
    await loginPage(ctx, req, res, { retour: safeReturn(req.query.retour) });
  });

  router.post('/connexion', passwordPagesOnly(ctx), async (req, res) => {
    const code = text(req.body, 'code', 64);
    const retour = safeReturn(text(req.body, 'retour', 2000));
    const address = req.ip ?? 'unknown';
    // Counted before the password is checked, so that concurrent guesses cannot slip
    // past the count; refused ones are not checked at all (the right password neither).
    const ticket = await limiter.attempt(code, address);
    if (!ticket.ok) {
      res.status(429).set('Retry-After', String(ticket.waitSeconds));
      const error = t('ui.account.login.tooMany', { count: Math.ceil(ticket.waitSeconds / 60) });
      await loginPage(ctx, req, res, { retour, code, error });
      return;
    }
    const agentId = await authenticate(ctx, code, text(req.body, 'password', 500, false));
    if (agentId === null) {
      res.status(401);
      await loginPage(ctx, req, res, { retour, code, error: t('errors.BAD_LOGIN') });
      return;
    }
    await limiter.succeeded(code, address);
    // A new session id on login: an id planted before login is worth nothing after it.
    await regenerate(req);
    req.session.agentId = agentId;
    const agent = (await loadAgent(ctx.db, agentId))!;
    await saveSession(req);
    res.redirect(303, landing(agent, retour));
  });

  router.post('/deconnexion', async (req, res) => {
    const idToken = req.session.ssoIdToken;
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie('guichet.sid');
    // Logged in through the provider: its session ends too, or the next click there would log the agent back in.
    const away = idToken && ctx.config.sso ? await ssoClientOf(ctx.config.sso).logoutUrl(idToken) : null;
    res.redirect(303, away?.href ?? '/connexion');
  });
  return router;
}
