import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSharedStore, clusterArgs, type Front, startFront } from '../../src/server/cluster.js';

/**
 * The front of `bookgraph cluster` in process, over two tiny HTTP servers that say who they are and
 * echo WebSocket messages with their name: requests alternate, bodies and headers pass, and an
 * upgraded socket stays with the backend it reached.
 */
describe('cluster front', () => {
  const backends: Server[] = [];
  const origins: string[] = [];
  let front: Front;

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8').on('data', (c: string) => (body += c));
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
          res.end(
            JSON.stringify({
              name,
              method: req.method,
              url: req.url,
              body,
              auth: req.headers.authorization ?? null,
              forwardedFor: req.headers['x-forwarded-for'] ?? null,
            }),
          );
        });
      });
      const wss = new WebSocketServer({ server });
      wss.on('connection', (socket, req) => socket.on('message', (m) => socket.send(`${name}:${req.url}:${m.toString()}`)));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      backends.push(server);
      origins.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    front = await startFront(origins);
  });
  afterAll(async () => {
    await front?.close();
    for (const s of backends) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('sends each request to the next backend in turn, with its body and headers', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${front.url}/graphql?i=${i}`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: `{"n":${i}}`,
      });
      const json = (await res.json()) as { name: string; method: string; url: string; body: string; auth: string; forwardedFor: string };
      expect(res.headers.get('x-backend')).toBe(json.name);
      expect(json).toMatchObject({ method: 'POST', url: `/graphql?i=${i}`, body: `{"n":${i}}`, auth: 'Bearer k', forwardedFor: '127.0.0.1' });
      seen.push(json.name);
    }
    expect(seen).toEqual(['a', 'b', 'a', 'b']);
  });

  it('passes WebSocket upgrades through, each socket to one backend', async () => {
    const echo = async (path: string) => {
      const ws = new WebSocket(`${front.url.replace('http', 'ws')}${path}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const replies: string[] = [];
      for (const m of ['one', 'two']) {
        ws.send(m);
        replies.push(await new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString()))));
      }
      ws.close();
      return replies;
    };
    const first = await echo('/graphql');
    const second = await echo('/graphql');
    const names = [first, second].map((r) => r[0].split(':')[0]);
    expect(new Set(names)).toEqual(new Set(['a', 'b']));
    expect(first).toEqual([`${names[0]}:/graphql:one`, `${names[0]}:/graphql:two`]);
    expect(second).toEqual([`${names[1]}:/graphql:one`, `${names[1]}:/graphql:two`]);
  });

  it('answers 502 when a backend is gone', async () => {
    const lonely = await startFront(['http://127.0.0.1:1']);
    try {
      const res = await fetch(`${lonely.url}/graphql`);
      expect(res.status).toBe(502);
      expect(await res.text()).toContain('did not answer');
    } finally {
      await lonely.close();
    }
  });

  it('takes --instances and --port, and only a store several processes share', () => {
    expect(clusterArgs([], 4000)).toEqual({ instances: 3, port: 4000 });
    expect(clusterArgs(['--instances', '5', '--port', '5000'], 4000)).toEqual({ instances: 5, port: 5000 });
    expect(() => clusterArgs(['--instances', '0'], 4000)).toThrow('--instances needs an integer');
    expect(() => clusterArgs(['--nope'], 4000)).toThrow('unknown option --nope');
    expect(() => assertSharedStore('redis://127.0.0.1:6379/0')).not.toThrow();
    expect(() => assertSharedStore('postgres://u@127.0.0.1/db')).not.toThrow();
    expect(() => assertSharedStore('file://./data/bookgraph.json')).toThrow('STORE_URL must be redis:// or postgres://');
  });
});
