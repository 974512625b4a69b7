// A cookie-keeping browser of Guichet's pages, seen from one client address (through the
// loopback proxy, which the harness trusts), with the page text as read on screen.
import { DEMO_PASSWORD } from '../../src/seed/demo';

/** The text of a page as read on screen: Handlebars escapes quotes and equals signs. */
export const readable = (html: string): string =>
  html.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

export function webClient(baseUrl: string, address: string) {
  let cookie = '';
  /** The answer as soon as its headers arrive, the session cookie kept. */
  const send = async (method: string, url: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        'x-forwarded-for': address,
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return res;
  };
  const call = async (method: string, url: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await send(method, url, form, headers);
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body, text: readable(body.toString('utf8')) };
  };
  /**
   * A form post whose redirect is followed as soon as its headers arrive, the way a browser
   * does (`call` reads the whole answer first); returns the page it leads to.
   */
  const postThenFollow = async (url: string, form: Record<string, string>) => {
    const res = await send('POST', url, form);
    const location = res.headers.get('location');
    if (res.status !== 303 || !location) {
      throw new Error(`POST ${url} answered ${res.status}, not a redirect`);
    }
    const next = await call('GET', location);
    await res.arrayBuffer();
    return next;
  };
  const csrf = async (url = '/connexion') => /name="_csrf" value="([^"]+)"/.exec((await call('GET', url)).text)![1];
  const login = async (code: string, password = DEMO_PASSWORD) => call('POST', '/connexion', { _csrf: await csrf(), code, password, retour: '/' });
  return { call, csrf, login, postThenFollow };
}
