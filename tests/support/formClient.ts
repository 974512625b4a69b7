// A cookie-keeping HTTP client for the public forms: the page gives the session and its
// CSRF token, then the form is posted as multipart, as a browser posts it.
import fs from 'node:fs';

export interface FilePart {
  field: string;
  name: string;
  type: string;
  data: Buffer;
}

export function formClient(baseUrl: string, headers: Record<string, string> = {}) {
  let cookie = '';
  const call = async (method: string, path: string, body?: FormData) => {
    const res = await fetch(`${baseUrl}${path}`, { method, body, redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  };
  const csrf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec((await call('GET', path)).text)![1];
  /** Posts fields and files to `path`, with the token of the page at `pagePath`. */
  const post = async (pagePath: string, path: string, fields: Record<string, string | string[]>, files: FilePart[] = []) => {
    const form = new FormData();
    form.append('_csrf', await csrf(pagePath));
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    for (const f of files) form.append(f.field, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
    return call('POST', path, form);
  };
  return { call, csrf, post };
}

export const fileOf = (field: string, name: string, data: Buffer | string, type = 'application/pdf'): FilePart => ({
  field, name, type, data: typeof data === 'string' ? fs.readFileSync(data) : data,
});
