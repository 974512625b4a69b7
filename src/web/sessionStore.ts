import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { SessionData } from 'express-session';
import { logger } from '../ops/logger';

/**
 * The sessions table, read and written through knex. On a database error the library's
 * methods call back with the error and then reject as well: nobody awaits them, so each
 * failed session read or write during a database outage was an unhandled rejection,
 * which stops the process. Here the callback alone carries the error (express-session
 * passes it on: 503). `touch` (pushing back the expiry of an unchanged session) does not
 * even call back on an error, so the response never ended: a failed touch only leaves
 * the old expiry.
 */
export class SessionStore extends ConnectSessionKnexStore {
  override async get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): Promise<SessionData | null> {
    return super.get(sid, callback).catch(() => null);
  }

  override async set(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    await super.set(sid, session, callback).catch(() => undefined);
  }

  override async destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    return super.destroy(sid, callback).catch(() => 0);
  }

  override async touch(sid: string, session: SessionData, callback?: () => void): Promise<void> {
    try {
      await super.touch(sid, session);
    } catch (err) {
      logger.warn({ err }, 'session touch failed');
    }
    callback?.();
  }
}
