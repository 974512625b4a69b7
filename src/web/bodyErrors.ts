// A request that cannot be read is the client's fault, never the server's: a body too
// large, malformed (JSON, multipart), in an unknown encoding, nested too deep, or a URL
// that does not decode. body-parser and Express's router mark those errors with a 4xx
// `status` (and body-parser with a `type`); multer's are marked here (uploads.ts). They
// are answered with that status and a French message: JSON under /api, plain text in
// the UI (into the alert region for htmx, as the CSRF refusal).
import type { NextFunction, Request, Response } from 'express';
import { t } from '../i18n';

export interface ClientError {
  status: number;
  /** stable code of the API's `{error: {code, message}}` */
  code: string;
  message: string;
}

/** body-parser's error types (and ours, multipart.*) → the French message key. */
const BY_TYPE: Record<string, string> = {
  'entity.too.large': 'BODY_TOO_LARGE',
  'parameters.too.many': 'BODY_TOO_LARGE',
  'entity.parse.failed': 'BODY_MALFORMED',
  'entity.verify.failed': 'BODY_MALFORMED',
  'request.aborted': 'BODY_MALFORMED',
  'request.size.invalid': 'BODY_MALFORMED',
  'encoding.unsupported': 'BODY_ENCODING',
  'charset.unsupported': 'BODY_ENCODING',
  'multipart.malformed': 'BODY_MALFORMED',
  'entity.too.deep': 'BODY_TOO_DEEP',
};

const BY_STATUS: Record<number, string> = { 413: 'BODY_TOO_LARGE', 415: 'BODY_ENCODING' };

/** An error of the client's making, with a 4xx status and a French reason; null for anything else. */
export function clientErrorOf(err: unknown): ClientError | null {
  if (typeof err !== 'object' || err === null) {
    return null;
  }
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown };
  const status = Number(e.status ?? e.statusCode);
  // expose=false marks http-errors' server errors; a 4xx is exposed by default.
  if (!Number.isInteger(status) || status < 400 || status > 499 || e.expose === false) {
    return null;
  }
  let key = typeof e.type === 'string' ? BY_TYPE[e.type] : undefined;
  if (!key && err instanceof URIError) key = 'URL_MALFORMED';
  // A compressed body that does not inflate (zlib's Z_DATA_ERROR…).
  if (!key && typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('Z_')) key = 'BODY_MALFORMED';
  key ??= BY_STATUS[status] ?? 'BAD_REQUEST';
  return { status, code: key, message: t(`errors.${key}`) };
}

/** No API body is nested deeper than this; the check runs before JSON.parse. */
export const MAX_JSON_DEPTH = 32;

/**
 * express.json's `verify`: refuses JSON nested deeper than MAX_JSON_DEPTH. JSON.parse
 * itself copes with any depth, but everything recursive after it (validation, logging,
 * JSON.stringify) overflows the stack on 100 000 levels.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, raw: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) {
        throw Object.assign(new Error('JSON nested too deep'), { status: 400, type: 'entity.too.deep', expose: true });
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
}

/** A multipart body multer could not read (cut short, no boundary, bad part headers). */
export function malformedMultipart(cause: unknown): Error {
  return Object.assign(new Error('malformed multipart body', { cause }), { status: 400, type: 'multipart.malformed', expose: true });
}

/** Answers a client error in the form the caller reads: JSON under /api, French text (htmx: the alert region) elsewhere. */
export function sendClientError(req: Request, res: Response, e: ClientError): void {
  res.status(e.status);
  if (req.originalUrl.startsWith('/api/') || req.originalUrl === '/api') {
    res.json({ error: { code: e.code, message: e.message } });
    return;
  }
  if (req.get('HX-Request')) {
    res.set({ 'HX-Retarget': '#global-alert', 'HX-Reswap': 'innerHTML' });
  }
  res.type('text/plain').send(e.message);
}

/** Error handler: client errors answered as such, the rest passed on (to the 500 handler). */
export function clientErrors(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const e = clientErrorOf(err);
  if (!e || res.headersSent) {
    next(err);
    return;
  }
  sendClientError(req, res, e);
}
