import { createClient as createWsClient } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { connect, gql, sandbox, type TestGateway } from './gateway.js';

/**
 * Two gateway instances on one shared store and event bus: a tenant connects Appointedd through `a`,
 * subscribes to `connectionStatusChanged` on `b`, has `b` list (and cache) its connections, then
 * disconnects through `a`. `b`'s subscriber hears exactly that change, and `b`'s cached list shows it
 * at once. Answers how long the event took to reach `b`, in ms.
 */
export async function expectStatusChangeAcross(a: TestGateway, b: TestGateway, tenantName: string): Promise<number> {
  const tenant = await a.tenant(tenantName);
  const creds = await sandbox(a.emulators.appointedd as string, 'credentials');
  const made = await connect(a.url, tenant.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: creds.client_secret });
  const connectionId = made.body.data.connectProvider.id;

  const client = createWsClient({
    url: `${b.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${tenant.apiKey}` },
    retryAttempts: 0,
  });
  try {
    const seen: unknown[] = [];
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe(
      { query: 'subscription { connectionStatusChanged { id status } }' },
      { next: (v) => seen.push(v), error: () => undefined, complete: () => undefined },
    );
    await subscribed;
    // b lists (and caches) the tenant's connections before the change.
    expect((await gql(b.url, tenant.apiKey, '{ connections { id status } }')).body.data.connections).toEqual([{ id: connectionId, status: 'ACTIVE' }]);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const d = await gql(a.url, tenant.apiKey, 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { status } }', { id: connectionId });
    expect(d.body.data.disconnectProvider.status).toBe('DISCONNECTED');
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const tookMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([{ data: { connectionStatusChanged: { id: connectionId, status: 'DISCONNECTED' } } }]);
    // b's cached list was dropped by the same bus: it shows the change at once, not after its TTL.
    expect((await gql(b.url, tenant.apiKey, '{ connections { id status } }')).body.data.connections).toEqual([{ id: connectionId, status: 'DISCONNECTED' }]);
    return tookMs;
  } finally {
    await client.dispose();
  }
}
