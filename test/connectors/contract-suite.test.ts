import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The contract every connector passes (STYLE.md: "adding a sixth platform = a folder + the suite
 * green"), through the gateway's public API against each platform's emulator: token reuse,
 * renewal after expiry, one renewal for concurrent callers, paging to the end, 429 with
 * Retry-After, a malformed payload, and the status vocabulary.
 */
interface Case {
  provider: string;
  slug: 'dayschedule' | 'bookingtime' | 'yappointment' | 'appointedd' | 'onsched';
  /** The grant type that issues access tokens. */
  grant: string;
  /** Access tokens one query needs (bookingtime: one per organization). */
  tokensPerQuery: number;
  /** A path prefix of the bookings listing, for injected faults. */
  bookingsPath: string;
  /** Unified statuses the platform's seed data must map to. */
  statuses: string[];
}

const CASES: Case[] = [
  { provider: 'DAYSCHEDULE', slug: 'dayschedule', grant: 'refresh_token', tokensPerQuery: 1, bookingsPath: '/v1/bookings', statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'PENDING'] },
  { provider: 'BOOKINGTIME', slug: 'bookingtime', grant: 'refresh_token', tokensPerQuery: 2, bookingsPath: '/app/v3', statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED'] },
  {
    provider: 'YAPPOINTMENT',
    slug: 'yappointment',
    grant: 'refresh_token',
    tokensPerQuery: 1,
    bookingsPath: '/api/v1/bookings',
    statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'NO_SHOW', 'PENDING'],
  },
  { provider: 'APPOINTEDD', slug: 'appointedd', grant: 'client_credentials', tokensPerQuery: 1, bookingsPath: '/v2/bookings', statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'NO_SHOW', 'PENDING'] },
  { provider: 'ONSCHED', slug: 'onsched', grant: 'refresh_token', tokensPerQuery: 1, bookingsPath: '/consumer/v1/appointments', statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'NO_SHOW', 'PENDING'] },
];

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const upcoming = (provider: string) =>
  `{ bookings(first: 5, filter: { providers: [${provider}], startsAfter: "${new Date().toISOString()}" }) { edges { node { id provider } } } }`;

describe.each(CASES)('connector contract: $provider', (c) => {
  const origin = () => gw.emulators[c.slug] as string;
  const grants = async () => (await sandbox(origin(), 'stats')).token[c.grant] as number;

  it('reuses its access token across queries', async () => {
    expect((await gql(gw.url, gw.demoKey, upcoming(c.provider))).body.errors).toBeUndefined();
    const before = await grants();
    for (let i = 0; i < 5; i++) {
      const r = await gql(gw.url, gw.demoKey, upcoming(c.provider));
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.bookings.edges.length).toBeGreaterThan(0);
    }
    expect(await grants()).toBe(before);
  });

  it('renews once after the token expired on the platform clock, and concurrent callers share it', async () => {
    await sandbox(origin(), 'clock', { advanceSeconds: 3_700 });
    const before = await grants();
    const results = await Promise.all(Array.from({ length: 20 }, () => gql(gw.url, gw.demoKey, upcoming(c.provider))));
    expect(results.map((r) => r.body.errors ?? null).filter(Boolean)).toEqual([]);
    expect(await grants()).toBe(before + c.tokensPerQuery);
  });

  it('pages to the end: every booking once, in startsAt order', async () => {
    const seen: Array<{ id: string; startsAt: string }> = [];
    let after: string | null = null;
    for (let page = 0; page < 60; page++) {
      const r: any = await gql(
        gw.url,
        gw.demoKey,
        'query($after: String) { bookings(first: 9, after: $after, filter: { providers: [' + c.provider + '] }) { edges { node { id startsAt } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(r.body.errors).toBeUndefined();
      seen.push(...r.body.data.bookings.edges.map((e: any) => e.node));
      if (!r.body.data.bookings.pageInfo.hasNextPage) break;
      after = r.body.data.bookings.pageInfo.endCursor;
    }
    expect(seen.length).toBeGreaterThanOrEqual(20);
    expect(new Set(seen.map((b) => b.id)).size).toBe(seen.length);
    const times = seen.map((b) => Date.parse(b.startsAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('waits out a short 429 Retry-After; reports a long one as PROVIDER_UNAVAILABLE with retryAfterSeconds', async () => {
    await sandbox(origin(), 'faults', { match: c.bookingsPath, status: 429, retryAfterSeconds: 1, count: 1 });
    const short = await gql(gw.url, gw.demoKey, upcoming(c.provider));
    expect(short.body.errors).toBeUndefined();
    await sandbox(origin(), 'faults', { match: c.bookingsPath, status: 429, retryAfterSeconds: 120 });
    try {
      const long = await gql(gw.url, gw.demoKey, upcoming(c.provider));
      expect(long.body.errors?.[0].extensions).toMatchObject({ provider: c.provider, code: 'PROVIDER_UNAVAILABLE', retryAfterSeconds: 120 });
    } finally {
      await sandbox(origin(), 'faults', undefined, 'DELETE');
    }
  });

  it('turns a malformed payload into PROVIDER_ERROR for this platform only', async () => {
    await sandbox(origin(), 'faults', { match: c.bookingsPath, mode: 'malformed', count: 5 });
    try {
      const r = await gql(gw.url, gw.demoKey, upcoming(c.provider));
      expect(r.body.errors?.map((e) => `${e.extensions?.provider}:${e.extensions?.code}`)).toEqual([`${c.provider}:PROVIDER_ERROR`]);
      expect(r.body.data.bookings.edges).toEqual([]);
    } finally {
      await sandbox(origin(), 'faults', undefined, 'DELETE');
    }
  });

  it('maps the platform status vocabulary onto BookingStatus', async () => {
    const r = await gql(gw.url, gw.demoKey, `{ bookings(first: 100, filter: { providers: [${c.provider}] }) { edges { node { status } } } }`);
    expect(r.body.errors).toBeUndefined();
    const statuses = [...new Set(r.body.data.bookings.edges.map((e: any) => e.node.status))].sort();
    expect(statuses).toEqual(c.statuses);
  });
});
