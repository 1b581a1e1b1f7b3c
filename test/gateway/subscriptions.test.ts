import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const wsUrl = () => `${gw.url.replace('http', 'ws')}/graphql`;

describe('GraphQL subscriptions over graphql-ws', () => {
  it('delivers connectionStatusChanged to the owning tenant only', async () => {
    const owner = await gw.tenant('ws-owner');
    const other = await gw.tenant('ws-other');
    const creds = await sandbox(gw.emulators.appointedd as string, 'credentials');
    const made = await connect(gw.url, owner.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: creds.client_secret });
    const connectionId = made.body.data.connectProvider.id;

    const listen = (apiKey: string) => {
      const client = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${apiKey}` }, retryAttempts: 0 });
      const seen: any[] = [];
      const ready = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      const done = new Promise<void>((resolve, reject) =>
        client.subscribe(
          { query: 'subscription { connectionStatusChanged { id provider status statusReason } }' },
          { next: (v) => seen.push(v), error: reject, complete: resolve },
        ),
      );
      return { client, seen, ready, done };
    };
    const mine = listen(owner.apiKey);
    const theirs = listen(other.apiKey);
    await Promise.all([mine.ready, theirs.ready]);
    await new Promise((r) => setTimeout(r, 100));

    const d = await gql(gw.url, owner.apiKey, 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { status } }', { id: connectionId });
    expect(d.body.data.disconnectProvider.status).toBe('DISCONNECTED');
    for (let i = 0; i < 50 && mine.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(mine.seen).toEqual([
      { data: { connectionStatusChanged: { id: connectionId, provider: 'APPOINTEDD', status: 'DISCONNECTED', statusReason: expect.any(String) } } },
    ]);
    expect(theirs.seen).toEqual([]);
    await mine.client.dispose();
    await theirs.client.dispose();
  });

  it('answers a subscription sent over HTTP with BAD_REQUEST (POST: 400 naming the WebSocket endpoint), never an internal error', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const query = 'subscription { connectionStatusChanged { id } }';
      const res =
        method === 'POST'
          ? await fetch(`${gw.url}/graphql`, {
              method,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.demoKey}` },
              body: JSON.stringify({ query }),
            })
          : await fetch(`${gw.url}/graphql?query=${encodeURIComponent(query)}`, {
              headers: { authorization: `Bearer ${gw.demoKey}`, 'apollo-require-preflight': 'true' },
            });
      const body = (await res.json()) as any;
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
      if (method === 'POST') {
        expect(res.status).toBe(400);
        expect(body.errors[0].message).toMatch(/WebSocket.*graphql-ws.*\/graphql/);
      } else {
        // GET carries queries only (GraphQL over HTTP): Apollo refuses any other operation with 405.
        expect(res.status).toBe(405);
      }
    }
  });

  it('holds subscriptions to the operation limits of HTTP requests (QUERY_TOO_COMPLEX), and still runs one within them', async () => {
    const client = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${gw.demoKey}` }, retryAttempts: 0 });
    const aliases = Array.from({ length: 150 }, (_, i) => `a${i}: id`).join(' ');
    const refused = await new Promise<unknown>((resolve) =>
      client.subscribe({ query: `subscription { bookingEvents { ${aliases} } }` }, { next: () => undefined, error: resolve, complete: () => resolve(null) }),
    );
    expect(refused).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/aliases/), extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) }),
    ]);
    // An ordinary subscription on the same socket is accepted (completes when disposed, no error).
    let failed: unknown = null;
    const stop = client.subscribe(
      { query: 'subscription { bookingEvents { id type } }' },
      { next: () => undefined, error: (e) => (failed = e), complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 200));
    stop();
    expect(failed).toBeNull();
    await client.dispose();
  });

  it('closes an unauthenticated socket with 4403 before any operation runs', async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = createClient({
        url: wsUrl(),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer bg_wrong' },
        retryAttempts: 0,
        on: { closed: (e) => resolve((e as { code: number }).code) },
      });
      client.subscribe(
        { query: 'subscription { connectionStatusChanged { id } }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    expect(closed).toBe(4403);
  });
});
