// The link e-mailed with a message to the citizen: it names one request, expires, and is
// signed, so that nobody can forge one for another request or make it last longer.
import crypto from 'node:crypto';
import { sessionSecretOf } from '../accounts/sessionSecret';

/** How long a citizen may answer through the link of a message. */
export const LINK_DAYS = 30;

/** Keyed with the session secret (never a default: unset, nothing is signed or accepted). */
function sign(secret: string | null, payload: string): string {
  return crypto.createHmac('sha256', sessionSecretOf({ sessionSecret: secret })).update(`reply:${payload}`).digest('base64url');
}

export function replyToken(secret: string | null, requestId: number, now = Date.now()): string {
  const payload = `${requestId}.${now + LINK_DAYS * 24 * 3600 * 1000}`;
  return `${payload}.${sign(secret, payload)}`;
}

export type TokenCheck = { ok: true; requestId: number } | { ok: false; reason: 'INVALID' | 'EXPIRED' };

export function checkReplyToken(secret: string | null, token: string, now = Date.now()): TokenCheck {
  const m = /^(\d+)\.(\d+)\.([\w-]+)$/.exec(token);
  if (!m) {
    return { ok: false, reason: 'INVALID' };
  }
  const expected = Buffer.from(sign(secret, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'INVALID' };
  }
  if (Number(m[2]) < now) {
    return { ok: false, reason: 'EXPIRED' };
  }
  return { ok: true, requestId: Number(m[1]) };
}
