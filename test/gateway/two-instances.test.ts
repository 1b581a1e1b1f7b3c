import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOf, listen, sleep, subscribe, waitFor } from '../events/event-helpers.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectStatusChangeAcross } from '../helpers/instances.js';
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
    await expectStatusChangeAcross(a, b, 'two-instances');
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
