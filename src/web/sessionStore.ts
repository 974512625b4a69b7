import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { SessionData } from 'express-session';
import { LRUCache } from 'lru-cache';
import { logger } from '../ops/logger';

/**
 * How long a session's expiry may lag behind its last request: a session lasts hours, and
 * pushing its expiry back at every page and every poll was a write before each answer.
 */
export const TOUCH_EVERY_MS = 60_000;

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

  /** The sessions this process wrote or pushed back lately; another process may push them again, once. */
  private readonly touched = new LRUCache<string, true>({ max: 50_000, ttl: TOUCH_EVERY_MS });

  override async set(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    // A save writes the expiry too.
    await super.set(sid, session, callback).then(() => this.touched.set(sid, true), () => undefined);
  }

  override async touch(sid: string, session: SessionData, callback?: () => void): Promise<void> {
    if (!this.touched.has(sid)) {
      try {
        await super.touch(sid, session);
        this.touched.set(sid, true);
      } catch (err) {
        logger.warn({ err }, 'session touch failed');
      }
    }
    callback?.();
  }

  override async destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    this.touched.delete(sid);
    return super.destroy(sid, callback).catch(() => 0);
  }
}
