// Where webhooks may go: a partner's server on the Internet, not Guichet's own network
// (a key must not turn Guichet into a way to reach the database, the Temporal server or
// the town hall's intranet). Checked at registration and again when each POST connects:
// the name is resolved once for that POST, its addresses vetted, and the connection made
// to a vetted address (pinnedLookup), so that a name cannot point to a public address for
// the check and to an internal one for the connection (DNS rebinding).
import dns from 'node:dns/promises';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { t } from '../i18n';

/** A name's addresses; the system's resolver unless a test gives another. */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) => dns.lookup(host, { all: true });

/** A destination refused, with the reason in French. */
export class RefusedDestination extends Error {}

function isPublic(address: string): boolean {
  const parsed = ipaddr.process(address); // an IPv4-mapped IPv6 address is read as IPv4
  return parsed.range() === 'unicast';
}

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');

/** The addresses a POST to `host` may connect to: all of them public (unless allowed), or RefusedDestination. */
export async function vettedAddresses(host: string, allowPrivate: boolean, resolve: Resolve = systemResolve): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new RefusedDestination(t('ui.webhooks.unknownHost', { host }));
    }
    if (addresses.length === 0) {
      throw new RefusedDestination(t('ui.webhooks.unknownHost', { host }));
    }
  }
  const inner = allowPrivate ? undefined : addresses.find((a) => !isPublic(a.address));
  if (inner) {
    throw new RefusedDestination(t('ui.webhooks.internalAddress', { address: inner.address, host }));
  }
  return addresses;
}

/** Why `url` may not receive webhooks (in French), or null when it may. */
export async function refusedDestination(url: string, allowPrivate: boolean, resolve: Resolve = systemResolve): Promise<string | null> {
  if (allowPrivate) {
    return null;
  }
  try {
    await vettedAddresses(hostOf(url), false, resolve);
    return null;
  } catch (err) {
    if (err instanceof RefusedDestination) return err.message;
    throw err;
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The `lookup` of an http(s) request: resolves the name once, refuses it (RefusedDestination)
 * if any address is internal, and hands the socket the vetted addresses, so that the
 * connection goes where the check looked. The URL's name stays the Host header and the TLS
 * server name. (An address written in the URL is never looked up: check it with vettedAddresses.)
 */
export function pinnedLookup(allowPrivate: boolean, resolve: Resolve = systemResolve) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    vettedAddresses(hostname, allowPrivate, resolve).then(
      (addresses) => {
        const asked = options.family;
        const family = asked === 'IPv4' ? 4 : asked === 'IPv6' ? 6 : asked;
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (options.all) {
          callback(null, wanted);
        } else if (wanted.length === 0) {
          callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        } else {
          callback(null, wanted[0].address, wanted[0].family);
        }
      },
      (err: Error) => callback(err, '', 0),
    );
  };
}
