// The citizens' pages opened by a tracking code (the lookup, the reply form, the
// downloads) are limited per client address, so that nobody tries codes by the thousand.
// Counted in the database (table tracking_attempts), across all web processes.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Ctx } from '../commands/context';
import { dbRateLimiter, takePoint } from '../db/rateLimits';
import { t } from '../i18n';
import { renderPage } from './routes/render';

const limiters = new WeakMap<Ctx, Promise<RateLimiterAbstract>>();

function limiterOf(ctx: Ctx): Promise<RateLimiterAbstract> {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    limiter = dbRateLimiter(ctx.db, 'tracking_attempts', 'suivi', ctx.config.trackingRequestsPerHour, 3600);
    limiters.set(ctx, limiter);
  }
  return limiter;
}

/** Counts one hit of the address; beyond the limit, a French 429 page with Retry-After. */
export function trackingLimit(ctx: Ctx): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const ticket = await takePoint(await limiterOf(ctx), req.ip ?? 'inconnue');
    if (ticket.ok) {
      next();
      return;
    }
    res.status(429).set({ 'Retry-After': String(ticket.waitSeconds), 'Cache-Control': 'no-store' });
    const message = t('errors.TRACKING_TOO_MANY', { count: Math.ceil(ticket.waitSeconds / 60) });
    await renderPage(ctx, req, res, 'error', { title: t('ui.tracking.title'), message });
  };
}
