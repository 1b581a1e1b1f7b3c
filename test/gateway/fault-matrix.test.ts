import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlResult, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The fault matrix (issue 11): eight kinds of platform failure injected into each of the five
 * emulators through their control API, against a real gateway. A merged `bookings` query answers
 * with the other four platforms' bookings and exactly one typed error for the faulty one, within the
 * platform deadline (PROVIDER_TIMEOUT_MS, one per platform per request) plus a small margin. Then,
 * per platform, the circuit breaker: repeated failures open it, the faulty platform then costs
 * under 50 ms and no call reaches it, and after the cool-down one probe closes it again.
 */

const TIMEOUT_MS = 1_500;
/** What a query may take beyond the platform deadline (the gateway's own work, the other platforms). */
const MARGIN_MS = 500;
const COOLDOWN_SECONDS = 2;

interface PlatformFaults {
  provider: string;
  slug: 'appointedd' | 'bookingtime' | 'dayschedule' | 'onsched' | 'yappointment';
  /** A path prefix of the bookings listing (the contract suite's). */
  bookingsPath: string;
  /** Revokes the demo connection's grant (client-credentials platforms: the client itself is refused too). */
  revoke(origin: string): Promise<void>;
}

const revokeAll = (origin: string) => sandbox(origin, 'revoke-all');

const PLATFORMS: PlatformFaults[] = [
  {
    provider: 'APPOINTEDD',
    slug: 'appointedd',
    bookingsPath: '/v2/bookings',
    async revoke(origin) {
      await sandbox(origin, 'faults', { match: '/v2/oauth/tokens', status: 401 });
      await revokeAll(origin);
    },
  },
  { provider: 'BOOKINGTIME', slug: 'bookingtime', bookingsPath: '/app/v3', revoke: revokeAll },
  { provider: 'DAYSCHEDULE', slug: 'dayschedule', bookingsPath: '/v1/bookings', revoke: revokeAll },
  { provider: 'ONSCHED', slug: 'onsched', bookingsPath: '/consumer/v1/appointments', revoke: revokeAll },
  { provider: 'YAPPOINTMENT', slug: 'yappointment', bookingsPath: '/api/v1/bookings', revoke: revokeAll },
];

interface Kind {
  name: string;
  /** Injects the fault on the platform's emulator. */
  inject(origin: string, p: PlatformFaults): Promise<unknown>;
  /** The error's `extensions` for the faulty platform; null = it recovers (no error). */
  expected: Record<string, unknown> | null;
}

/** Past every platform's access-token life (300 s to 3600 s), well within every refresh token's. */
const TWO_HOURS = 7_200;

const KINDS: Kind[] = [
  { name: '500', inject: (o, p) => sandbox(o, 'faults', { match: p.bookingsPath, status: 500 }), expected: { code: 'PROVIDER_UNAVAILABLE' } },
  { name: '503', inject: (o, p) => sandbox(o, 'faults', { match: p.bookingsPath, status: 503 }), expected: { code: 'PROVIDER_UNAVAILABLE' } },
  {
    name: '429 Retry-After 120',
    inject: (o, p) => sandbox(o, 'faults', { match: p.bookingsPath, status: 429, retryAfterSeconds: 120 }),
    expected: { code: 'PROVIDER_UNAVAILABLE', retryAfterSeconds: 120 },
  },
  { name: 'hang', inject: (o, p) => sandbox(o, 'faults', { match: p.bookingsPath, mode: 'hang' }), expected: { code: 'PROVIDER_UNAVAILABLE' } },
  { name: 'reset', inject: (o, p) => sandbox(o, 'faults', { match: p.bookingsPath, mode: 'reset' }), expected: { code: 'PROVIDER_UNAVAILABLE' } },
  { name: 'malformed', inject: (o, p) => sandbox(o, 'faults', { match: p.bookingsPath, mode: 'malformed' }), expected: { code: 'PROVIDER_ERROR' } },
  { name: 'expired token', inject: (o) => sandbox(o, 'clock', { advanceSeconds: TWO_HOURS }), expected: null },
];

const BOOKINGS = '{ bookings(first: 100) { edges { node { provider } } } }';
const CIRCUITS = '{ connections { provider circuit circuitOpenUntil } }';

interface Timed {
  r: GqlResult;
  ms: number;
}

async function timed(gw: TestGateway, query: string): Promise<Timed> {
  const started = performance.now();
  const r = await gql(gw.url, gw.demoKey, query);
  return { r, ms: Math.round(performance.now() - started) };
}

/** The answer has every other platform's bookings, none of the faulty one's, and exactly the expected error. */
function expectPartial({ r }: Timed, p: PlatformFaults, expected: Record<string, unknown> | null): void {
  expect(r.status).toBe(200);
  const providers = new Set(r.body.data.bookings.edges.map((e: any) => e.node.provider));
  for (const other of PLATFORMS) if (other !== p) expect(providers.has(other.provider), `${other.provider} missing`).toBe(true);
  if (expected === null) {
    expect(r.body.errors).toBeUndefined();
    expect(providers.has(p.provider)).toBe(true);
    return;
  }
  expect(providers.has(p.provider)).toBe(false);
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors?.[0].path).toEqual(['bookings']);
  expect(r.body.errors?.[0].extensions).toMatchObject({ provider: p.provider, ...expected });
}

async function circuitOf(gw: TestGateway, provider: string): Promise<{ circuit: string; circuitOpenUntil: string | null }> {
  const r = await gql(gw.url, gw.demoKey, CIRCUITS);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.connections.find((c: { provider: string }) => c.provider === provider);
}

const apiCalls = async (origin: string) => (await sandbox<{ api: number }>(origin, 'stats')).api;
const figures: string[] = [];

afterAll(() => {
  console.info(`[fault matrix, PROVIDER_TIMEOUT_MS=${TIMEOUT_MS}]\n${figures.join('\n')}`);
});

describe('the fault matrix: 8 kinds × 5 platforms, one deadline per platform per request', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // The breaker is off here so that each case shows what one request costs by itself.
    gw = await startTestGateway({ env: { PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS), PROVIDER_BREAKER_FAILURES: '0' } });
  });
  afterAll(() => gw.close());

  for (const p of PLATFORMS) {
    for (const kind of KINDS) {
      it(`${p.provider}: ${kind.name}`, async () => {
        const origin = gw.emulators[p.slug] as string;
        await kind.inject(origin, p);
        try {
          const t = await timed(gw, BOOKINGS);
          figures.push(
            `${p.provider.padEnd(12)} ${kind.name.padEnd(20)} ${String(t.ms).padStart(5)} ms  ${t.r.body.errors?.[0]?.extensions?.code ?? 'no error'}  ${t.r.body.errors?.[0]?.message ?? ''}`,
          );
          expectPartial(t, p, kind.expected);
          expect(t.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        } finally {
          await sandbox(origin, 'faults', undefined, 'DELETE');
        }
      });
    }
  }
});

describe('per platform: the circuit breaker, then a revoked grant', () => {
  // One fresh gateway per platform: a revoked grant leaves its demo connection in NEEDS_REAUTH.
  const gateways = new Map<string, TestGateway>();
  beforeAll(async () => {
    const env = { PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS), PROVIDER_BREAKER_FAILURES: '5', PROVIDER_BREAKER_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS) };
    const started = await Promise.all(PLATFORMS.map(() => startTestGateway({ env })));
    PLATFORMS.forEach((p, i) => gateways.set(p.provider, started[i]));
  });
  afterAll(() => Promise.all([...gateways.values()].map((g) => g.close())));

  for (const p of PLATFORMS) {
    it(`${p.provider}: repeated 503s open the circuit (answers at once, no platform call), one probe after the cool-down closes it`, async () => {
      const gw = gateways.get(p.provider) as TestGateway;
      const origin = gw.emulators[p.slug] as string;
      expect((await circuitOf(gw, p.provider)).circuit).toBe('CLOSED');
      await sandbox(origin, 'faults', { match: p.bookingsPath, status: 503 });
      let failing = 0;
      try {
        // Fan-out makes several calls per query: the circuit opens within a query or two.
        while ((await circuitOf(gw, p.provider)).circuit !== 'OPEN') {
          expect(++failing).toBeLessThanOrEqual(5);
          const t = await timed(gw, BOOKINGS);
          expectPartial(t, p, { code: 'PROVIDER_UNAVAILABLE' });
          expect(t.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        }
        // Calls that went out before it opened end with their current attempt (no retry once it is open).
        await new Promise((r) => setTimeout(r, 300));
        const before = await apiCalls(origin);
        const merged = await timed(gw, BOOKINGS);
        expectPartial(merged, p, { code: 'PROVIDER_UNAVAILABLE' });
        expect(merged.r.body.errors?.[0].message).toMatch(/circuit open/);
        const alone = await timed(gw, `{ bookings(first: 100, filter: { providers: [${p.provider}] }) { edges { node { provider } } } }`);
        expect(alone.r.body.errors?.[0].extensions).toMatchObject({ provider: p.provider, code: 'PROVIDER_UNAVAILABLE' });
        expect(alone.r.body.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(alone.ms).toBeLessThan(50);
        expect(await apiCalls(origin)).toBe(before);
        figures.push(
          `${p.provider.padEnd(12)} breaker open after ${failing} query(ies): merged ${merged.ms} ms, ${p.provider} alone ${alone.ms} ms, 0 platform calls`,
        );
      } finally {
        await sandbox(origin, 'faults', undefined, 'DELETE');
      }

      // The platform is back; the circuit lets one probe through once the cool-down is over.
      const open = await circuitOf(gw, p.provider);
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(open.circuitOpenUntil as string) - Date.now()) + 50));
      expect((await circuitOf(gw, p.provider)).circuit).toBe('HALF_OPEN');
      const before = await apiCalls(origin);
      const probe = await timed(gw, BOOKINGS);
      expectPartial(probe, p, null);
      expect(await apiCalls(origin)).toBeGreaterThan(before);
      expect(await circuitOf(gw, p.provider)).toEqual({ provider: p.provider, circuit: 'CLOSED', circuitOpenUntil: null });
      figures.push(`${p.provider.padEnd(12)} after ${COOLDOWN_SECONDS} s: probe query ${probe.ms} ms, circuit CLOSED`);
    });

    it(`${p.provider}: revoked grant → NEEDS_REAUTH for that platform only`, async () => {
      const gw = gateways.get(p.provider) as TestGateway;
      const origin = gw.emulators[p.slug] as string;
      await p.revoke(origin);
      const t = await timed(gw, BOOKINGS);
      figures.push(
        `${p.provider.padEnd(12)} ${'revoked grant'.padEnd(20)} ${String(t.ms).padStart(5)} ms  ${t.r.body.errors?.[0]?.extensions?.code ?? 'no error'}`,
      );
      expectPartial(t, p, { code: 'NEEDS_REAUTH' });
      expect(t.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    });
  }
});
