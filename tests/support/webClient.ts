// A cookie-keeping browser of Guichet's pages, seen from one client address (through the
// loopback proxy, which the harness trusts), with the page text as read on screen.
import { DEMO_PASSWORD } from '../../src/seed/demo';

/** The text of a page as read on screen: Handlebars escapes quotes and equals signs. */
export const readable = (html: string): string =>
  html.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

export function webClient(baseUrl: string, address: string) {
  let cookie = '';
  const call = async (method: string, url: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
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
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body, text: readable(body.toString('utf8')) };
  };
  const csrf = async (url = '/connexion') => /name="_csrf" value="([^"]+)"/.exec((await call('GET', url)).text)![1];
  const login = async (code: string, password = DEMO_PASSWORD) => call('POST', '/connexion', { _csrf: await csrf(), code, password, retour: '/' });
  return { call, csrf, login };
}
