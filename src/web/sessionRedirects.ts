import type { NextFunction, Request, Response } from 'express';

/**
 * A redirect that waits for the session to be stored when the request changed it.
 *
 * express-session sends a response's headers before it stores the session (it holds back
 * only the last byte until the store answers): a browser follows a 303 at once, and the
 * next page could load the session as it was, without the message put in it for that page
 * (« Version 1 publiée » missing, then shown on a later page). Seen on MariaDB under load,
 * where storing the session takes longer. An unchanged session is not stored again, and a
 * visitor's empty one is not stored at all (saveUninitialized stays false).
 */
export function sessionSavedBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const before = snapshot(req);
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || snapshot(req) === before) {
      redirect(...args);
      return;
    }
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
}

/** The session's data (its cookie's expiry left out: it moves on every request). */
function snapshot(req: Request): string {
  if (!req.session) {
    return '';
  }
  const { cookie: _cookie, ...data } = req.session as unknown as Record<string, unknown>;
  return `${req.sessionID}:${JSON.stringify(data)}`;
}
