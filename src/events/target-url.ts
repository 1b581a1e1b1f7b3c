import { lookup as dnsLookup, promises as dns, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { GatewayError } from '../gateway/errors.js';

/**
 * Where a webhook may be delivered: an absolute http(s) URL without credentials whose host resolves
 * only to public addresses, so a subscriber cannot point the gateway at its own network (SSRF). The
 * check runs when a subscription is made (`checkTargetUrl`) and again at connection time (`lookup`,
 * for `http.request`), so a name that resolves to a private address later (DNS rebinding) is still
 * refused. Sandbox mode allows private targets (local test receivers).
 */

/** Address ranges a target may not resolve to (IPv4-mapped IPv6 is unwrapped before the check). */
const NON_PUBLIC: ReadonlyArray<readonly [network: string, prefix: number, kind: string]> = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['fc00::', 7, 'private (unique local)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

const ranges = NON_PUBLIC.map(([network, prefix, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { list, kind };
});

/** `::ffff:a.b.c.d` and `::ffff:xxxx:yyyy` (any spelling) as `a.b.c.d`; any other address as given. */
export function unwrapMappedIpv4(address: string): string {
  if (isIP(address) !== 6) return address;
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!m) return canonical;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * Why `address` (an IP literal) is not a public address (`'loopback'`, `'private'`, …), or null
 * when it is public. Anything that is not an IP address is refused (`'not an IP address'`).
 */
export function nonPublicKind(address: string): string | null {
  const ip = unwrapMappedIpv4(address);
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return ranges.find((r) => r.list.check(ip, type))?.kind ?? null;
}

/** A connection refused because its host resolved to a non-public address. */
export class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: string,
  ) {
    super(`refused address ${address}`);
    this.name = 'RefusedAddressError';
  }
}

export interface TargetUrlOptions {
  /** Sandbox mode: private, loopback and link-local targets are allowed (the host is not resolved). */
  allowPrivate: boolean;
  /** Resolves a host name to every address (default `dns.promises.lookup(host, { all: true })`). */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

/**
 * The target URL, parsed, when it may receive deliveries. Throws `GatewayError('BAD_USER_INPUT')`
 * unless it is an absolute http(s) URL without credentials whose host (an IP literal, or every
 * address the name resolves to) is public; a refused address is named in `extensions.refusedAddress`.
 */
export async function checkTargetUrl(url: string, opts: TargetUrlOptions): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatewayError('BAD_USER_INPUT', `targetUrl must be an absolute http(s) URL, got "${url.slice(0, 200)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new GatewayError('BAD_USER_INPUT', `targetUrl must use http or https, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.username || parsed.password) {
    throw new GatewayError('BAD_USER_INPUT', 'targetUrl must not contain credentials (user:password@); the delivery signature authenticates the gateway');
  }
  const host = hostOf(parsed);
  if (!host) throw new GatewayError('BAD_USER_INPUT', 'targetUrl has no host');
  if (opts.allowPrivate) return parsed;
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await (opts.resolve ?? ((h) => dns.lookup(h, { all: true })))(host)).map((a) => a.address);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new GatewayError('BAD_USER_INPUT', `targetUrl host ${host} does not resolve${code ? ` (${code})` : ''}`);
    }
    if (addresses.length === 0) throw new GatewayError('BAD_USER_INPUT', `targetUrl host ${host} does not resolve`);
  }
  for (const address of addresses) {
    const kind = nonPublicKind(address);
    if (kind) {
      const shown = unwrapMappedIpv4(address);
      const via = shown === host ? '' : ` (${host} resolves to it)`;
      throw new GatewayError('BAD_USER_INPUT', `targetUrl must reach a public address: ${shown} is ${kind}${via}`, { refusedAddress: shown });
    }
  }
  return parsed;
}

/** The URL's host as `dns.lookup` and `net.isIP` take it (IPv6 literals without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * `dns.lookup` that fails with `RefusedAddressError` when any address the host resolves to is not
 * public: pass it as `http.request({ lookup })` so the address actually connected to is checked
 * (Node does not call it for IP literals; `checkTargetUrl` covers those).
 */
export const lookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, options.all ? [] : '', undefined);
    const refused = addresses.find((a) => nonPublicKind(a.address) !== null);
    if (refused) {
      const address = unwrapMappedIpv4(refused.address);
      return callback(new RefusedAddressError(hostname, address, nonPublicKind(address)!), options.all ? [] : '', undefined);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', undefined);
    callback(null, first.address, first.family);
  });
};
