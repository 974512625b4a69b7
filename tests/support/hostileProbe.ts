// Tools of the hostile-input tests: raw HTTP (bodies cut short, headers a browser never
// sends), a cookie-keeping client with its CSRF token, the rows a probe must leave as
// they were, and the check that the service still answers.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DEMO_PASSWORD } from '../../src/seed/demo';
import type { Harness } from './harness';

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Everything a request, a message or a reply writes at once: a refused probe changes none
 * of it. (E-mails and webhook deliveries follow later, from the workflows of requests.)
 */
export const WRITTEN_TABLES = ['requests', 'request_personal', 'request_name_words', 'citizens', 'events', 'messages', 'attachments', 'bulk_jobs'];

export async function rowCounts(h: Harness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of WRITTEN_TABLES) {
    counts[table] = Number((await h.db(table).count({ n: '*' }).first())!.n);
  }
  return counts;
}

/** Files in DATA_DIR/uploads (multer's) and DATA_DIR/attachments (kept files). */
export function filesOnDisk(h: Harness): { uploads: number; attachments: number } {
  const count = (dir: string): number => {
    if (!fs.existsSync(dir)) return 0;
    return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(path.join(dir, e.name)) : 1), 0);
  };
  return { uploads: count(path.join(h.config.dataDir, 'uploads')), attachments: count(path.join(h.config.dataDir, 'attachments')) };
}

/** The service still answers: /healthz and a page that reads the database. */
export async function stillServing(h: Harness): Promise<boolean> {
  const health = await fetch(`${h.baseUrl}/healthz`);
  const page = await fetch(`${h.baseUrl}/formulaires`);
  return health.status === 200 && page.status === 200;
}

/** A cookie-keeping client, as one browser: GET a page for its CSRF token, then post anything. */
export function client(h: Harness, headers: Record<string, string> = {}) {
  let cookie = '';
  const call = async (method: string, url: string, init: { body?: RequestInit['body']; headers?: Record<string, string> } = {}): Promise<RawAnswer> => {
    const res = await fetch(`${h.baseUrl}${url}`, {
      method, redirect: 'manual', body: init.body, headers: { ...headers, ...(cookie ? { cookie } : {}), ...init.headers },
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const csrf = async (page: string) => /name="_csrf" value="([^"]+)"/.exec((await call('GET', page)).text)?.[1] ?? '';
  const form = (fields: Record<string, string>) => ({
    body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const login = async (code: string) => call('POST', '/connexion', form({ _csrf: await csrf('/connexion'), code, password: DEMO_PASSWORD, retour: '/' }));
  return { call, csrf, form, login, cookie: () => cookie };
}

/**
 * Sends the head of a request and only the first `sent` bytes of its body, declaring
 * `declared` bytes, then waits for the answer: a server that answers before the body is
 * whole did not read it. The connection is then dropped.
 */
export function partialUpload(h: Harness, url: string, opts: { headers: Record<string, string>; declared: number; sent: Buffer; timeoutMs?: number }): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const target = new URL(`${h.baseUrl}${url}`);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: { ...opts.headers, 'content-length': String(opts.declared) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        req.destroy();
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${opts.timeoutMs ?? 5000} ms while the body was incomplete`));
    }, opts.timeoutMs ?? 5000);
    req.on('close', () => clearTimeout(timer));
    // The server may close the connection under us once it has answered.
    req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err)));
    req.write(opts.sent);
  });
}

/** A multipart body by hand, so that it can be cut or bent anywhere. */
export function multipart(boundary: string, parts: { name: string; value: string | Buffer; filename?: string; type?: string }[], end = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  if (end) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
