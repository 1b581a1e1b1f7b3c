import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Two gateway instances on one Redis store share the response cache's second level: a platform
 * answer one instance fetched serves the other without a platform call. Uses its own Redis database
 * (15), emptied first, so no other suite's keys meet it.
 */
const REDIS = 'redis://127.0.0.1:6379/15';
const run = process.env.BOOKGRAPH_TEST_REDIS !== '0';

describe.runIf(run)('response cache shared through Redis', () => {
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
});
