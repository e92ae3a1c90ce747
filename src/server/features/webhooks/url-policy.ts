// Where deliveries may go. In production: https:// only, and never to this machine or a private network
// (an endpoint must not be a way to reach the platform's own internals). The address is checked when the
// endpoint is registered, and again on every connection, by the lookup that the connection itself uses:
// a name that resolves to a public address at registration and to a private one later is still refused.
// Outside production, plain http:// is also allowed to localhost, so that integrations can be tried out.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** False for loopback, private, link-local, shared, documentation, multicast and reserved addresses. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are checked against the IPv4 ranges by BlockList.
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

export const PRIVATE_TARGET = 'must not point to this machine or a private network';

/** The URL's shape: scheme, host, no credentials. Returns the normalised URL or why it is refused. */
export function checkUrlShape(raw: string, production: boolean): { url: string } | { reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: 'must be an absolute URL such as https://example.com/hooks' };
  }
  if (url.username || url.password) return { reason: 'must not contain a user name or password' };
  if (url.hash) return { reason: 'must not contain a #fragment' };
  const host = bareHost(url.hostname);
  if (url.protocol === 'http:') {
    if (production) return { reason: 'must use https://' };
    if (!LOOPBACK_HOSTS.has(host)) return { reason: 'must use https:// (http:// is allowed only to localhost, 127.0.0.1 and [::1] outside production)' };
  } else if (url.protocol !== 'https:') {
    return { reason: 'must use https://' };
  }
  if (production && (isLocalName(host) || (isIP(host) !== 0 && !isPublicAddress(host)))) return { reason: PRIVATE_TARGET };
  return { url: url.toString() };
}

/** Production: every address the host resolves to must be public. Returns why not, or null. */
export async function checkResolvesPublic(rawUrl: string): Promise<string | null> {
  const host = bareHost(new URL(rawUrl).hostname);
  if (isIP(host) !== 0) return isPublicAddress(host) ? null : PRIVATE_TARGET;
  const addresses = await new Promise<LookupAddress[] | null>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? null : found)),
  );
  if (!addresses || addresses.length === 0) return 'has a host name that could not be resolved';
  return addresses.every((entry) => isPublicAddress(entry.address)) ? null : PRIVATE_TARGET;
}

/** For the connection itself: resolves as usual, then refuses when any address is not public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const refused = addresses.length === 0 || addresses.some((entry) => !isPublicAddress(entry.address));
    if (refused) {
      const failure: NodeJS.ErrnoException = new Error(`${hostname} resolves to an address that webhooks may not reach`);
      failure.code = 'EADDRNOTPUBLIC';
      return callback(failure, '');
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** The connection target when it is an IP literal (no lookup happens for those), else null. */
export const literalAddress = (rawUrl: string): string | null => {
  const host = bareHost(new URL(rawUrl).hostname);
  return isIP(host) !== 0 ? host : null;
};
