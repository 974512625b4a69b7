import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { t } from '../i18n';

const CSRF_ERROR = 'EBADCSRFTOKEN';

/**
 * A token kept in the session, sent back by every form (hidden `_csrf` field) and every
 * htmx request (the `X-CSRF-Token` header set on <body>): a page of another site cannot
 * know it, so it cannot make an agent's browser act.
 */
export function csrfProtection() {
  const csrf = csrfSync({
    getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : req.get('x-csrf-token')),
    errorConfig: { statusCode: 403, code: CSRF_ERROR, message: 'invalid csrf token' },
  });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      res.locals.csrfToken = csrf.generateToken(req);
      next();
    },
    csrf.csrfSynchronisedProtection,
    (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if ((err as { code?: string })?.code !== CSRF_ERROR) {
        next(err);
        return;
      }
      res.status(403);
      if (req.get('HX-Request')) {
        // Said in the alert region of the page, which stays as it was.
        res.set({ 'HX-Retarget': '#global-alert', 'HX-Reswap': 'innerHTML' }).type('text/plain').send(t('errors.CSRF'));
        return;
      }
      res.type('text/plain').send(t('errors.CSRF'));
    },
  ];
}
