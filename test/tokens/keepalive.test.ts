import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * An idle connection keeps its long-lived grant: bookingtime's refresh token lives 30 days; nobody
 * queries the connection for 31 days (the emulator's clock and the gateway's move together, a day at
 * a time, the keep-alive running once a day), and afterwards it still answers. The emulator counts
 * exactly one new grant (client credentials), obtained before the old one ran out.
 */

let offset = 0;
let tg: TestGateway;
beforeAll(async () => {
  tg = await startTestGateway({ clock: () => Date.now() + offset, env: { GRANT_KEEPALIVE_INTERVAL_SECONDS: '86400' } });
}, 60_000);
afterAll(() => tg?.close());

it('a bookingtime connection nobody queries for 31 days still answers, after exactly one background renewal', async () => {
  const origin = tg.emulators.bookingtime as string;
  const grants = async () => (await sandbox(origin, 'stats')).token.client_credentials as number;
  const start = await grants();
  const renewedOn: number[] = [];
  for (let day = 1; day <= 31; day++) {
    offset += 86_400_000;
    await sandbox(origin, 'clock', { advanceSeconds: 86_400 });
    const before = await grants();
    await tg.gateway.services.keepAlive.tick();
    if ((await grants()) > before) renewedOn.push(day);
  }
  expect(renewedOn).toHaveLength(1);
  // Renewed a week ahead (GRANT_RENEW_AHEAD_HOURS = 168), not after the 30 days ran out.
  expect(renewedOn[0]).toBeGreaterThanOrEqual(22);
  expect(renewedOn[0]).toBeLessThan(30);

  const r = await gql(tg.url, tg.demoKey, '{ bookings(first: 5, filter: { providers: [BOOKINGTIME] }) { edges { node { id } } } }');
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.bookings.edges.length).toBeGreaterThan(0);
  expect((await grants()) - start).toBe(1);
  const c = await gql(tg.url, tg.demoKey, '{ connections { provider status } }');
  expect(c.body.data.connections.find((x: { provider: string }) => x.provider === 'BOOKINGTIME').status).toBe('ACTIVE');
});
