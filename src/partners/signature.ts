// The signature of a webhook delivery, Stripe-style: the timestamp is signed with the
// body so that a captured delivery cannot be replayed later under a fresh timestamp.
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Guichet-Signature';
/** The delivery's id, the same on every attempt: the partner ignores one it already handled. */
export const DELIVERY_HEADER = 'X-Guichet-Delivery';
export const EVENT_HEADER = 'X-Guichet-Event';

export function hmacOf(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` */
export function signatureHeader(secret: string, body: string, nowMs = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${hmacOf(secret, timestamp, body)}`;
}

/** What a partner does on receipt (and the tests): checks the HMAC and that the timestamp is recent. */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = 300, nowMs = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1 || Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) {
    return false;
  }
  const expected = Buffer.from(hmacOf(secret, timestamp, body), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export const newWebhookSecret = (): string => `whsec_${crypto.randomBytes(24).toString('base64url')}`;
