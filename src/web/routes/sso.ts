import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { LoginLimiter } from '../../accounts/loginLimiter';
import { ssoClientOf, SsoFailure, type PendingSso } from '../../accounts/sso';
import { matchAgent, type SsoRefusal } from '../../accounts/ssoAgent';
import { loadAgent } from '../../db/agents';
import { t } from '../../i18n';
import { text } from './forms';
import { renderPage } from './render';
import { landing, regenerate, safeReturn, saveSession } from './session';

declare module 'express-session' {
  interface SessionData {
    /** A login through the provider under way: what its answer must match. */
    sso: PendingSso;
    /** The provider's ID token of this session, for its logout page (id_token_hint). */
    ssoIdToken: string;
  }
}

type Reason = SsoRefusal | SsoFailure['reason'] | 'TOO_MANY';

const STATUS: Record<Reason, number> = {
  UNKNOWN: 403, NO_VERIFIED_EMAIL: 403, AMBIGUOUS: 403, OTHER_ACCOUNT: 403, DEACTIVATED: 403,
  EXPIRED: 400, PROVIDER: 502, UNREACHABLE: 503, TOO_MANY: 429,
};

/** The French page of a login through the provider that opened no session. */
async function refuse(ctx: Ctx, req: Request, res: Response, reason: Reason, email: string | null = null): Promise<void> {
  res.status(STATUS[reason]);
  await renderPage(ctx, req, res, 'ssoRefused', { title: t('sso.refused.title'), message: t(`sso.refused.${reason}`, { email: email ?? '' }) });
}

/** Single sign-on: to the provider (POST, with the login page's CSRF token) and back. */
export function ssoRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  const settings = ctx.config.sso;
  if (!settings) {
    return router;
  }
  const sso = ssoClientOf(settings);
  const limiter = new LoginLimiter(ctx.db);

  router.post('/connexion/oidc', async (req, res) => {
    let start: Awaited<ReturnType<typeof sso.start>>;
    try {
      start = await sso.start(safeReturn(text(req.body, 'retour', 2000)));
    } catch (err) {
      await refuse(ctx, req, res, err instanceof SsoFailure ? err.reason : 'PROVIDER');
      return;
    }
    req.session.sso = start.pending;
    await saveSession(req);
    res.redirect(303, start.url.href);
  });

  router.get('/connexion/oidc/retour', async (req, res) => {
    // Used once: a second visit of the same answer finds nothing to match.
    const pending = req.session.sso;
    delete req.session.sso;
    if (!pending) {
      await refuse(ctx, req, res, 'EXPIRED');
      return;
    }
    const address = req.ip ?? 'unknown';
    // The login limiter of passwords, per address: an answer is counted before it is checked.
    const ticket = await limiter.attempt('', address);
    if (!ticket.ok) {
      res.set('Retry-After', String(ticket.waitSeconds));
      await refuse(ctx, req, res, 'TOO_MANY');
      return;
    }
    let identity: Awaited<ReturnType<typeof sso.finish>>;
    try {
      identity = await sso.finish(pending, new URL(req.originalUrl, 'http://guichet').searchParams);
    } catch (err) {
      if (!(err instanceof SsoFailure)) {
        throw err;
      }
      // Why, for the administrator: the provider's error or the check that failed (no personal data).
      console.error(`single sign-on refused: ${err.reason}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`);
      await refuse(ctx, req, res, err.reason);
      return;
    }
    const match = await matchAgent(ctx.db, sso.issuer, identity);
    if (!match.ok) {
      await refuse(ctx, req, res, match.reason, identity.email);
      return;
    }
    await limiter.succeeded('', address);
    // A new session id on login, as for a password.
    await regenerate(req);
    req.session.agentId = match.agentId;
    req.session.ssoIdToken = identity.idToken;
    const agent = (await loadAgent(ctx.db, match.agentId))!;
    await saveSession(req);
    res.redirect(303, landing(agent, pending.retour));
  });
  return router;
}
