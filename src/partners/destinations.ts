// Where webhooks may go: a partner's server on the Internet, not Guichet's own network
// (a key must not turn Guichet into a way to reach the database, the Temporal server or
// the town hall's intranet). Checked at registration and again before each POST, since a
// name may resolve elsewhere later.
import dns from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

function isPublic(address: string): boolean {
  const parsed = ipaddr.process(address); // an IPv4-mapped IPv6 address is read as IPv4
  return parsed.range() === 'unicast';
}

/** Why `url` may not receive webhooks (in French), or null when it may. */
export async function refusedDestination(url: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) {
    return null;
  }
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `Le nom « ${host} » ne correspond à aucune adresse.`;
  }
  const inner = addresses.find((a) => !isPublic(a));
  return inner ? `L’adresse ${inner} de « ${host} » est une adresse interne ou réservée : les webhooks ne vont qu’à des serveurs joignables sur Internet.` : null;
}
