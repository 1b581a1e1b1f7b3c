import type { LookupAddress } from 'node:dns';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkTargetUrl, lookup, nonPublicKind, RefusedAddressError, unwrapMappedIpv4 } from '../../src/events/target-url.js';

const resolvesTo =
  (...addresses: string[]) =>
  async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function refusal(url: string, opts: Parameters<typeof checkTargetUrl>[1] = { allowPrivate: false }) {
  try {
    await checkTargetUrl(url, opts);
  } catch (err) {
    return err as Error & { extensions: Record<string, unknown> };
  }
  throw new Error(`${url} was accepted`);
}

describe('nonPublicKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private (unique local)'],
    ['fd12:3456::1', 'private (unique local)'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['example.com', 'not an IP address'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e'])(
    '%s is public',
    (address) => {
      expect(nonPublicKind(address)).toBeNull();
    },
  );

  it('unwraps IPv4-mapped IPv6 in any spelling', () => {
    expect(unwrapMappedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(unwrapMappedIpv4('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(unwrapMappedIpv4('0:0:0:0:0:ffff:c0a8:101')).toBe('192.168.1.1');
    expect(unwrapMappedIpv4('2001:db8::1')).toBe('2001:db8::1');
    expect(unwrapMappedIpv4('10.0.0.1')).toBe('10.0.0.1');
  });
});

describe('checkTargetUrl', () => {
  it('accepts an https URL whose name resolves only to public addresses', async () => {
    const url = await checkTargetUrl('https://hooks.example.com/bookgraph?x=1', {
      allowPrivate: false,
      resolve: resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'),
    });
    expect(url.href).toBe('https://hooks.example.com/bookgraph?x=1');
  });

  it.each([
    ['not a url', /absolute http\(s\) URL/],
    ['/relative/hook', /absolute http\(s\) URL/],
    ['ftp://example.com/hook', /http or https, not ftp/],
    ['javascript:alert(1)', /http or https, not javascript/],
    ['https://user:secret@example.com/hook', /must not contain credentials/],
    ['https://token@example.com/hook', /must not contain credentials/],
  ])('refuses %s', async (url, message) => {
    const err = await refusal(url, { allowPrivate: true });
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(message);
  });

  it.each([
    ['http://127.0.0.1:8080/hook', '127.0.0.1', /127\.0\.0\.1 is loopback/],
    ['http://[::1]/hook', '::1', /::1 is loopback/],
    ['http://[::ffff:127.0.0.1]/hook', '127.0.0.1', /127\.0\.0\.1 is loopback/],
    ['http://0x7f.1/hook', '127.0.0.1', /loopback/],
    ['http://2130706433/hook', '127.0.0.1', /loopback/],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254', /link-local/],
    ['http://10.0.0.8/', '10.0.0.8', /private/],
    ['http://100.100.1.1/', '100.100.1.1', /carrier-grade NAT/],
    ['http://0.0.0.0:3000/', '0.0.0.0', /unspecified/],
  ])('refuses the literal address in %s', async (url, address, message) => {
    const err = await refusal(url, { allowPrivate: false, resolve: resolvesTo('8.8.8.8') });
    expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', refusedAddress: address });
    expect(err.message).toMatch(message);
  });

  it('refuses a name when any one of its addresses is not public, naming it', async () => {
    const err = await refusal('https://mixed.example.com/hook', { allowPrivate: false, resolve: resolvesTo('8.8.8.8', '192.168.0.10') });
    expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', refusedAddress: '192.168.0.10' });
    expect(err.message).toBe('targetUrl must reach a public address: 192.168.0.10 is private (mixed.example.com resolves to it)');
    const mapped = await refusal('https://mapped.example.com/hook', { allowPrivate: false, resolve: resolvesTo('::ffff:10.1.1.1') });
    expect(mapped.extensions.refusedAddress).toBe('10.1.1.1');
  });

  it('resolves with the system resolver by default (localhost is loopback)', async () => {
    const err = await refusal('http://localhost:4000/hook');
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(/is loopback \(localhost resolves to it\)/);
  });

  it('says when the name does not resolve', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const err = await refusal('https://nowhere.invalid/hook', { allowPrivate: false, resolve });
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('targetUrl host nowhere.invalid does not resolve (ENOTFOUND)');
  });

  it('allows private targets in sandbox mode, without resolving', async () => {
    const resolve = async (): Promise<LookupAddress[]> => {
      throw new Error('must not resolve');
    };
    expect((await checkTargetUrl('http://127.0.0.1:4000/hook', { allowPrivate: true, resolve })).port).toBe('4000');
    expect((await checkTargetUrl('http://receiver.internal/hook', { allowPrivate: true, resolve })).hostname).toBe('receiver.internal');
  });
});

describe('lookup (connection-time check)', () => {
  const call = (host: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      lookup(host, { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('passes public addresses through, in the shape the caller asked for', async () => {
    expect(await call('8.8.8.8', false)).toMatchObject({ err: null, address: '8.8.8.8', family: 4 });
    expect(await call('8.8.8.8', true)).toMatchObject({ err: null, address: [{ address: '8.8.8.8', family: 4 }] });
  });

  it('fails with RefusedAddressError for a name that resolves to a non-public address', async () => {
    for (const all of [false, true]) {
      const { err } = await call('localhost', all);
      expect(err).toBeInstanceOf(RefusedAddressError);
      expect(err?.message).toMatch(/^refused address (127\.0\.0\.1|::1)$/);
    }
  });

  it('stops http.request before it connects', async () => {
    let connections = 0;
    const server = createServer((_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const err = await new Promise<Error>((resolve, reject) => {
        const req = request(`http://localhost:${port}/`, { lookup, family: 4 }, () => reject(new Error('connected')));
        req.on('error', resolve);
        req.end();
      });
      expect(err).toBeInstanceOf(RefusedAddressError);
      expect(err.message).toBe('refused address 127.0.0.1');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });
});
