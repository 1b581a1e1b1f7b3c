import { randomBytes } from 'node:crypto';
import { createClient as createWsClient } from 'graphql-ws';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOf, listen, sleep, subscribe, waitFor } from '../events/event-helpers.js';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecorder } from '../helpers/recorder.js';

/**
 * Two gateway instances on one Redis store: they share the response cache's second level (a
 * platform answer one instance fetched serves the other without a platform call) and events (a
 * subscriber on one instance hears a change made through the other). Uses its own Redis database
 * (15), emptied first, so no other suite's keys meet it.
 */
const REDIS = 'redis://127.0.0.1:6379/15';
const run = process.env.BOOKGRAPH_TEST_REDIS !== '0';

describe.runIf(run)('two instances on one Redis', () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const client = createClient({ url: REDIS });
    await client.connect();
    await client.flushDb();
    await client.quit();
    const base = 20_000 + Math.floor(Math.random() * 400) * 10;
    const shared = {
      STORE_URL: REDIS,
      POLL_INTERVAL_SECONDS: '1',
      RESPONSE_CACHE: 'on',
      DEMO_API_KEY: `bg_${randomBytes(24).toString('base64url')}`,
      SANDBOX_PORT_BASE: String(base),
    };
    const encryptionKey = randomBytes(32).toString('base64');
    a = await startTestGateway({ storeUrl: REDIS, encryptionKey, env: shared });
    // The second instance uses the first one's emulators (and its connections, from the store).
    b = await startTestGateway({ storeUrl: REDIS, encryptionKey, env: { ...shared, SANDBOX_EMULATORS: 'external' } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("one instance's platform answer serves the other without a platform call", async () => {
    const origin = a.emulators.appointedd as string;
    const query = '{ bookings(first: 9, filter: { providers: [APPOINTEDD] }) { edges { node { id startsAt } } } }';
    const before = (await sandbox(origin, 'stats')).api;
    const fromA = await gql(a.url, a.demoKey, query);
    expect(fromA.body.errors).toBeUndefined();
    const afterA = (await sandbox(origin, 'stats')).api;
    expect(afterA - before).toBeGreaterThanOrEqual(1);

    expect(b.demoKey).toBe(a.demoKey);
    const fromB = await gql(b.url, b.demoKey, query);
    expect(fromB.body.errors).toBeUndefined();
    expect(fromB.body.data).toEqual(fromA.body.data);
    expect((await sandbox(origin, 'stats')).api).toBe(afterA);
  });

  it('a subscriber on one instance hears connectionStatusChanged for a change made through the other, whose cached list follows', async () => {
    const tenant = await a.tenant('two-instances');
    const creds = await sandbox(a.emulators.appointedd as string, 'credentials');
    const made = await connect(a.url, tenant.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: creds.client_secret });
    const connectionId = made.body.data.connectProvider.id;

    const client = createWsClient({
      url: `${b.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${tenant.apiKey}` },
      retryAttempts: 0,
    });
    const seen: any[] = [];
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe(
      { query: 'subscription { connectionStatusChanged { id status } }' },
      { next: (v) => seen.push(v), error: () => undefined, complete: () => undefined },
    );
    await subscribed;
    // B lists (and caches) the tenant's connections before the change.
    const listedByB = await gql(b.url, tenant.apiKey, '{ connections { id status } }');
    expect(listedByB.body.data.connections).toEqual([{ id: connectionId, status: 'ACTIVE' }]);
    await new Promise((r) => setTimeout(r, 200));
    const d = await gql(a.url, tenant.apiKey, 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { status } }', { id: connectionId });
    expect(d.body.data.disconnectProvider.status).toBe('DISCONNECTED');
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([{ data: { connectionStatusChanged: { id: connectionId, status: 'DISCONNECTED' } } }]);
    // B's cached list was dropped by the same bus: it shows the change at once, not after its TTL.
    expect((await gql(b.url, tenant.apiKey, '{ connections { id status } }')).body.data.connections).toEqual([{ id: connectionId, status: 'DISCONNECTED' }]);
    await client.dispose();
  });
  it('a booking event received by one instance reaches a subscriber of the other, once, and is delivered once', async () => {
    const target = await startRecorder();
    const listener = await listen(b.url, b.demoKey);
    try {
      const connection = await connectionOf(a.url, a.demoKey, 'DAYSCHEDULE');
      // Subscribed through A: the platform pushes to A's receiver.
      const sub = await subscribe(a.url, a.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'], targetUrl: target.url });
      expect(sub.receiverUrl.startsWith(a.url)).toBe(true);
      const made = await sandbox(a.emulators.dayschedule as string, 'events', { type: 'event_scheduled' });
      expect(made.webhooksDelivered).toBe(1);
      expect(await waitFor(() => listener.seen.length >= 1 && target.received.length >= 1)).toBe(true);
      // Both instances poll and work delivery queues; leases and the shared seen-set keep it once.
      await sleep(2_500);
      expect(listener.seen.map((e) => [e.type, e.booking.nativeId])).toEqual([['BOOKING_CREATED', made.bookingId]]);
      expect(target.received).toHaveLength(1);
      await gql(b.url, b.demoKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id: sub.id });
    } finally {
      await listener.close();
      await target.close();
    }
  });
});
