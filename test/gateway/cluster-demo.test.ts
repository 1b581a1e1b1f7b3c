import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { runEmulators, sandboxRedirectUris } from '../../src/server/sandbox-mode.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Three gateways in sandbox mode started at once on one Redis against one set of standalone
 * emulators (SANDBOX_EMULATORS=external): the demo tenant is set up once, by whichever instance
 * takes the store lock first. Each instance has its own store client, so the lock they share is the
 * store's cross-process one. Uses its own Redis database (11), emptied first.
 */
const REDIS = 'redis://127.0.0.1:6379/11';
const run = process.env.BOOKGRAPH_TEST_REDIS !== '0';

/**
 * What one set-up of the demo tenant asks of each platform's token endpoint, by grant type: one
 * consent (authorization code) at DaySchedule and yAppointment; at bookingtime a client-credentials
 * token exchanged for the organization's refresh pair; Appointedd's client credentials; OnSched's
 * refresh token.
 */
const ONE_SET_UP: Record<string, Record<string, number>> = {
  dayschedule: { authorization_code: 1, refresh_token: 0 },
  bookingtime: { client_credentials: 1, authorization_code: 0, refresh_token: 1 },
  yappointment: { authorization_code: 1, refresh_token: 0 },
  appointedd: { client_credentials: 1 },
  onsched: { refresh_token: 1 },
};

describe.runIf(run)('three instances set the demo tenant up once', () => {
  let emulators: Awaited<ReturnType<typeof runEmulators>>;
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    const client = createClient({ url: REDIS });
    await client.connect();
    await client.flushDb();
    await client.quit();
    const base = 24_000 + Math.floor(Math.random() * 400) * 10;
    // Each instance has its own public origin; the emulators accept the three (SANDBOX_REDIRECT_ORIGINS).
    const origins = [1, 2, 3].map((i) => `http://127.0.0.1:${base + 10 + i}`);
    const config = loadConfig({ SANDBOX_REDIRECT_ORIGINS: origins.join(', ') });
    emulators = await runEmulators({ port: base, rateLimits: false, redirectUris: sandboxRedirectUris(config) });
    const encryptionKey = randomBytes(32).toString('base64');
    const env = {
      SANDBOX_EMULATORS: 'external',
      SANDBOX_PORT_BASE: String(base),
      DEMO_API_KEY: `bg_${randomBytes(24).toString('base64url')}`,
    };
    const started = await Promise.allSettled(
      origins.map((origin) => startTestGateway({ storeUrl: REDIS, encryptionKey, env: { ...env, PUBLIC_URL: origin } })),
    );
    for (const s of started) if (s.status === 'fulfilled') gateways.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await emulators?.close();
  });

  it('one demo tenant, one ACTIVE connection per platform, seen alike by every instance', async () => {
    expect(new Set(gateways.map((g) => g.demoKey)).size).toBe(1);
    const listed = await Promise.all(gateways.map((g) => gql(g.url, g.demoKey, '{ connections { id provider status } }')));
    for (const r of listed) expect(r.body.errors).toBeUndefined();
    const connections = listed[0].body.data.connections as Array<{ id: string; provider: string; status: string }>;
    expect(connections.map((c) => c.provider).sort()).toEqual(['APPOINTEDD', 'BOOKINGTIME', 'DAYSCHEDULE', 'ONSCHED', 'YAPPOINTMENT']);
    expect(connections.every((c) => c.status === 'ACTIVE')).toBe(true);
    for (const r of listed.slice(1)) expect(r.body.data.connections).toEqual(connections);
    const demoTenants = (await gateways[0].gateway.services.tenants.list()).filter((t) => t.name.startsWith('demo'));
    expect(demoTenants).toHaveLength(1);
  });

  it("each platform's token endpoint saw one set-up's grants, not three", async () => {
    for (const [slug, origin] of Object.entries(emulators.baseUrls)) {
      const stats = await sandbox(origin, 'stats');
      expect({ slug, token: stats.token }).toEqual({ slug, token: ONE_SET_UP[slug] });
    }
  });
});
