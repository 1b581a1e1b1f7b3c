import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  // A short platform timeout so a hanging platform costs 1.5 s, not 10.
  gw = await startTestGateway({ env: { PROVIDER_TIMEOUT_MS: '1500' } });
});
afterAll(() => gw.close());

const ALL = `{
  connections { provider status }
  organizations { provider name }
  bookings(first: 100, filter: { startsAfter: "2000-01-01T00:00:00Z" }) { edges { node { provider startsAt } } }
}`;

describe('every platform at once', () => {
  it('the demo tenant is connected to all five platforms and bookings merge across them in startsAt order', async () => {
    const r = await gql(gw.url, gw.demoKey, ALL);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.connections.map((c: any) => `${c.provider}:${c.status}`).sort()).toEqual([
      'APPOINTEDD:ACTIVE',
      'BOOKINGTIME:ACTIVE',
      'DAYSCHEDULE:ACTIVE',
      'ONSCHED:ACTIVE',
      'YAPPOINTMENT:ACTIVE',
    ]);
    const providers = new Set(r.body.data.organizations.map((o: any) => o.provider));
    expect(providers.size).toBe(5);
    const times = r.body.data.bookings.edges.map((e: any) => Date.parse(e.node.startsAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(r.body.data.bookings.edges.map((e: any) => e.node.provider)).size).toBeGreaterThanOrEqual(3);
  });

  it('one platform down: the other four still answer, with exactly one error naming the failed one', async () => {
    const appointedd = gw.emulators.appointedd as string;
    await sandbox(appointedd, 'faults', { match: '*', status: 503 });
    try {
      const r = await gql(gw.url, gw.demoKey, ALL);
      expect(r.status).toBe(200);
      // Organizations are reference data the connector caches, so Appointedd's may still be served.
      const orgProviders = new Set(r.body.data.organizations.map((o: any) => o.provider));
      for (const p of ['BOOKINGTIME', 'DAYSCHEDULE', 'ONSCHED', 'YAPPOINTMENT']) expect(orgProviders.has(p)).toBe(true);
      expect(r.body.data.bookings.edges.length).toBe(100);
      expect(r.body.data.bookings.edges.some((e: any) => e.node.provider === 'APPOINTEDD')).toBe(false);
      expect(r.body.errors?.map((e) => `${e.path?.join('.')}:${e.extensions?.provider}:${e.extensions?.code}`)).toEqual([
        'bookings:APPOINTEDD:PROVIDER_UNAVAILABLE',
      ]);
    } finally {
      await sandbox(appointedd, 'faults', undefined, 'DELETE');
    }
  });

  it('a platform that hangs costs its own timeout, not the whole answer', async () => {
    const onsched = gw.emulators.onsched as string;
    await sandbox(onsched, 'faults', { match: '/consumer', mode: 'hang' });
    try {
      const started = Date.now();
      const r = await gql(gw.url, gw.demoKey, '{ bookings(first: 10) { edges { node { provider } } } }');
      const elapsed = Date.now() - started;
      expect(r.body.data.bookings.edges.length).toBe(10);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors?.[0].extensions).toMatchObject({ provider: 'ONSCHED', code: 'PROVIDER_UNAVAILABLE' });
      expect(r.body.errors?.[0].message).toMatch(/did not answer within 1500 ms/);
      // One deadline per platform per request, retries included: 1.5 s and a small margin, not 3 × 1.5 s.
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      await sandbox(onsched, 'faults', undefined, 'DELETE');
    }
  });

  it('a malformed platform answer becomes PROVIDER_ERROR for that platform only', async () => {
    const yapp = gw.emulators.yappointment as string;
    await sandbox(yapp, 'faults', { match: '/api/v1/bookings', mode: 'malformed', count: 1 });
    const r = await gql(gw.url, gw.demoKey, '{ bookings(first: 5) { edges { node { provider } } } }');
    expect(r.body.data.bookings.edges.length).toBe(5);
    expect(r.body.errors?.map((e) => `${e.extensions?.provider}:${e.extensions?.code}`)).toEqual(['YAPPOINTMENT:PROVIDER_ERROR']);
  });
});
