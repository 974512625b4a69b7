// One POST of a webhook delivery, over a connection to an address vetted for this very
// POST (pinnedLookup): the check and the connection cannot see two different answers of
// the DNS. Redirects are not followed: the partner registers the URL that answers.
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { pinnedLookup, RefusedDestination, vettedAddresses, type Resolve } from './destinations';

export interface PostOutcome {
  ok: boolean;
  status: number | null;
  error?: string;
}

export interface PostOptions {
  timeoutMs: number;
  headers: Record<string, string>;
  allowPrivate: boolean;
  /** the name's resolver (tests); the system's otherwise */
  resolve?: Resolve;
}

/**
 * POSTs `body` to `url`. A network error or a timeout is an outcome, recorded like a
 * refusal; a destination refused (an internal address) throws RefusedDestination.
 */
export async function postWebhook(url: string, body: string, opts: PostOptions): Promise<PostOutcome> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // An address written in the URL is connected to without a lookup: vetted here.
  if (ipaddr.isValid(host)) {
    await vettedAddresses(host, opts.allowPrivate);
  }
  const lookup = pinnedLookup(opts.allowPrivate, opts.resolve);
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise<PostOutcome>((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Guichet-Webhooks/1', ...opts.headers },
      lookup,
      // A connection of its own: none kept from another name's lookup.
      agent: false,
      signal: AbortSignal.timeout(opts.timeoutMs),
    }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
    });
    req.on('error', (err: Error) => {
      if (err instanceof RefusedDestination) reject(err);
      else resolve({ ok: false, status: null, error: err.name === 'AbortError' ? `pas de réponse en ${opts.timeoutMs} ms` : err.message });
    });
    req.end(body);
  });
}
