import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { KeyFailureLimiter } from '../../src/auth/key-failures.js';
import { hostnameOf, hostPolicy, isAllowedHost, isListedHost } from '../../src/server/allowed-hosts.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// Local-page safety and wrong API keys, over real HTTP (node's http.request sets any Host header;
// fetch does not): a Host the gateway does not serve gets 421 and never the demo key; pages cannot
// be framed; wrong keys from one address are refused for a while, good keys never.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: string, path: string, opts: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'GET',
        headers: { ...(opts.host !== undefined ? { host: opts.host } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const page = (base: string, host: string) => send(base, '/graphql', { host, headers: { accept: 'text/html' } });
const query = (base: string, key: string, host?: string) =>
  send(base, '/graphql', {
    host,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ connections { provider } }' }),
  });

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { PUBLIC_URL: 'https://bookgraph.example.com', API_KEY_MAX_FAILURES: '10', API_KEY_BLOCK_SECONDS: '30' } });
});
afterAll(() => gw.close());

describe('Host allow-list', () => {
  it.each(['attacker.example:4000', 'attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.io:4000', 'bookgraph.example.com.evil'])(
    'Host: %s → 421 with a short JSON error and no demo key',
    async (host) => {
      const r = await page(gw.url, host);
      expect(r.status).toBe(421);
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'misdirected request' });
      expect(r.body).not.toContain(gw.demoKey);
      expect((await query(gw.url, gw.demoKey, host)).status).toBe(421);
      expect((await send(gw.url, '/graphiql/graphiql.css', { host })).status).toBe(421);
    },
  );

  it.each(['localhost:4000', '127.0.0.1', '127.0.0.1:4000', '[::1]:9999', 'LOCALHOST', 'bookgraph.example.com', 'bookgraph.example.com:443'])(
    'Host: %s → the GraphiQL page with the demo key, frame-ancestors none and X-Frame-Options DENY',
    async (host) => {
      const r = await page(gw.url, host);
      expect(r.status).toBe(200);
      expect(r.body).toContain(gw.demoKey);
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['cache-control']).toBe('no-store');
    },
  );

  it('a malformed Host is refused too', async () => {
    for (const host of ['a b', 'user@localhost', 'localhost/x', 'localhost:99999']) expect((await page(gw.url, host)).status).toBe(421);
  });

  it('/healthz, /readyz and the webhook receiver answer whatever the Host (platforms call the public name)', async () => {
    expect((await send(gw.url, '/healthz', { host: 'attacker.example' })).status).toBe(200);
    expect((await send(gw.url, '/readyz', { host: '10.1.2.3:4000' })).status).toBe(200);
    // No such receiver: the route answers (404/401 of the receiver), not the Host check's 421.
    const hook = await send(gw.url, '/webhooks/dayschedule/cn_nobody?k=x', { host: 'hooks.example.net', method: 'POST', body: '{}' });
    expect(hook.status).not.toBe(421);
  });

  it('the consent callback page cannot be framed', async () => {
    const r = await send(gw.url, '/oauth/callback/dayschedule?state=nope&code=x', { host: 'localhost' });
    expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('a WebSocket upgrade with a foreign Host is refused with 421', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { host: 'attacker.example' } });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    ws.terminate();
    expect(status).toBe(421);
  });
});

describe('ALLOWED_HOSTS', () => {
  it('adds names; * answers any Host but embeds the demo key only for listed names', async () => {
    const listed = await startTestGateway({ env: { ALLOWED_HOSTS: 'bookgraph.internal, 10.0.0.7' } });
    const any = await startTestGateway({ env: { ALLOWED_HOSTS: '*' } });
    try {
      expect((await page(listed.url, 'bookgraph.internal:4000')).body).toContain(listed.demoKey);
      expect((await page(listed.url, '10.0.0.7')).status).toBe(200);
      expect((await page(listed.url, 'other.internal')).status).toBe(421);
      const foreign = await page(any.url, 'attacker.example:4000');
      expect(foreign.status).toBe(200);
      expect(foreign.body).not.toContain(any.demoKey);
      expect((await page(any.url, 'localhost')).body).toContain(any.demoKey);
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it('is validated at start-up', async () => {
    await expect(startTestGateway({ env: { ALLOWED_HOSTS: 'https://x.example' } })).rejects.toThrow(/ALLOWED_HOSTS/);
    await expect(startTestGateway({ env: { ALLOWED_HOSTS: 'a.example,*' } })).rejects.toThrow(/ALLOWED_HOSTS/);
  });
});

describe('wrong API keys', () => {
  it('after 10 wrong keys from one address: 429 with Retry-After, while a good key from the same address still answers', async () => {
    const t = await gw.tenant();
    const wrong = () => query(gw.url, `bg_wrong_${Math.random().toString(36).slice(2)}_padding_padding`);
    const first = [];
    for (let i = 0; i < 10; i++) first.push((await wrong()).status);
    expect(first).toEqual(Array(10).fill(401));
    const blocked = await wrong();
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(JSON.parse(blocked.body).errors[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
      message: expect.stringMatching(/Too many wrong API keys/),
    });
    expect((await wrong()).status).toBe(429);

    const good = await query(gw.url, t.apiKey);
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body).errors).toBeUndefined();
    expect((await query(gw.url, gw.demoKey)).status).toBe(200);
    // No key at all is not a wrong key: still a plain 401.
    expect(
      (await send(gw.url, '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ connections { id } }"}' })).status,
    ).toBe(401);
  });

  it('a wrong key over a WebSocket from a blocked address closes with 4429; a good key still connects', async () => {
    const close = (key: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })));
        ws.on('message', (m) => {
          if (JSON.parse(String(m)).type === 'connection_ack') {
            ws.close();
            resolve(0);
          }
        });
        ws.on('close', (code) => resolve(code));
      });
    expect(await close('bg_wrong_key_over_websocket_0000000')).toBe(4429);
    expect(await close(gw.demoKey)).toBe(0);
  });
});

describe('the pieces', () => {
  it('KeyFailureLimiter: a sliding window, a block that ends, addresses apart, ::ffff: mapped to IPv4', () => {
    let now = 0;
    const l = new KeyFailureLimiter({ maxFailures: 3, windowMs: 10_000, blockMs: 5_000, clock: () => now });
    expect([l.fail('1.1.1.1'), l.fail('1.1.1.1'), l.fail('::ffff:1.1.1.1')]).toEqual([null, null, null]);
    expect(l.fail('2.2.2.2')).toBeNull();
    now = 1_000;
    expect(l.fail('1.1.1.1')).toBe(5);
    now = 4_500;
    expect(l.fail('1.1.1.1')).toBe(2);
    now = 6_001;
    expect(l.fail('1.1.1.1')).toBeNull();
    // Old failures leave the window.
    now = 100_000;
    for (let i = 0; i < 3; i++) expect(l.fail('3.3.3.3')).toBeNull();
    now = 111_000;
    expect(l.fail('3.3.3.3')).toBeNull();
    expect(new KeyFailureLimiter({ maxFailures: 0 }).fail('x')).toBeNull();
  });

  it('hostPolicy: loopback, PUBLIC_URL, a specific bind address, extra names; hostnameOf strips ports', () => {
    const p = hostPolicy({ publicUrl: 'https://API.Example.com', bindHost: '10.0.0.5', allowedHosts: ['gw.internal'] });
    for (const h of ['localhost', '127.0.0.1:80', '[::1]:4000', 'api.example.com', '10.0.0.5:4000', 'gw.internal:1'])
      expect([h, isListedHost(p, h)]).toEqual([h, true]);
    for (const h of ['example.com', '127.0.0.2', undefined, 'gw.internal.evil']) expect([h, isAllowedHost(p, h)]).toEqual([h, false]);
    expect(hostPolicy({ publicUrl: null, bindHost: '0.0.0.0' }).names.has('0.0.0.0')).toBe(false);
    expect(hostnameOf('Example.COM:8080')).toBe('example.com');
    expect(hostnameOf('[::1]:4000')).toBe('[::1]');
    expect(hostnameOf('a@b')).toBeNull();
  });
});
