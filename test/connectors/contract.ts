import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingStatus } from '../../src/connectors/enums.js';
import type { PlatformSlug, Provider } from '../../src/connectors/platforms.js';
import { type GqlResult, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The contract every connector passes (STYLE.md: "adding a sixth platform = a folder + the suite
 * green"), the way every keyv storage adapter runs keyv's shared test suite: each platform's
 * `<slug>.contract.test.ts` describes its platform in a `PlatformCase` and calls
 * `connectorContract(case)`. Everything goes through the gateway's public API (GraphQL over HTTP)
 * against the platform's emulator (HTTP, control API under `/__sandbox/`).
 *
 * Each call starts its own gateway with its own in-process emulators, so no platform depends on
 * another one's emulator clock. Within a file the cases hold whatever the emulator clock offset is
 * (it only moves forward): times that matter are read from `GET /__sandbox/clock`, counters are
 * compared before and after, and the case that breaks the demo connection (revoked grant) runs last.
 */
export interface PlatformCase {
  /** The GraphQL `Provider` value. */
  provider: Provider;
  slug: PlatformSlug;
  /** The `grant_type` that issues the access tokens API calls use (a key of `/__sandbox/stats` `token`). */
  grant: string;
  /** Access tokens one bookings query needs (bookingtime: one per organization). */
  tokensPerQuery: number;
  /** A path prefix of the bookings listing, for injected faults. */
  bookingsPath: string;
  /** Unified statuses the platform's seed data maps to, sorted. */
  statuses: Array<`${BookingStatus}`>;
  /** What a revoked grant costs before the connection is NEEDS_REAUTH. */
  revokedGrant: {
    /**
     * Token-endpoint requests (every grant type) over the ten queries after the revocation: the
     * renewal attempts that find the grant dead, and nothing after.
     */
    tokenRequests: number;
    /**
     * Revokes the demo connection's grant on the emulator; `POST /__sandbox/revoke-all` when absent.
     * Platforms whose grant is the client itself (client credentials) also make the token endpoint
     * refuse the client, since revoke-all alone only drops issued tokens.
     */
    revoke?: (origin: string) => Promise<void>;
  };
  /** A well-formed ref of a record the platform does not have, made from a real `ref`; `unknownRef` when absent. */
  missingRef?: (ref: string) => string;
}

interface Stats {
  token: Record<string, number>;
  api: number;
  unauthorized: number;
  rateLimited: number;
}

/**
 * A ref of the same shape as `ref` (same length and character classes, so hex stays hex and digits
 * stay digits) that names nothing: the last six characters of its last `:`-segment each change.
 */
export function unknownRef(ref: string): string {
  const swap = (ch: string): string => {
    if (/[0-8]/.test(ch)) return '9';
    if (ch === '9') return '8';
    if (/[a-e]/.test(ch)) return 'f';
    if (ch === 'f') return 'e';
    if (/[g-y]/.test(ch)) return 'z';
    if (ch === 'z') return 'y';
    if (/[A-Y]/.test(ch)) return 'Z';
    if (ch === 'Z') return 'Y';
    return ch;
  };
  const tail = ref.slice(ref.lastIndexOf(':') + 1);
  const keep = ref.length - Math.min(6, tail.length);
  const changed = ref.slice(0, keep) + [...ref.slice(keep)].map(swap).join('');
  if (changed === ref) throw new Error(`cannot make an unknown ref from ${ref}`);
  return changed;
}

/** Global IDs as the gateway documents them: base64url of `["bg1", type, provider, connectionId, ref]`. */
function decodeGlobalId(id: string): [string, string, string, string, string] {
  const parts = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as unknown;
  if (!Array.isArray(parts) || parts.length !== 5 || parts[0] !== 'bg1') throw new Error(`not a global ID: ${id}`);
  return parts as [string, string, string, string, string];
}

function withRef(id: string, ref: string): string {
  const [bg1, type, provider, connectionId] = decodeGlobalId(id);
  return Buffer.from(JSON.stringify([bg1, type, provider, connectionId, ref]), 'utf8').toString('base64url');
}

/** `PROVIDER:CODE` of each error, for comparing whole error lists. */
const codes = (r: GqlResult) => (r.body.errors ?? []).map((e) => `${e.extensions?.provider}:${e.extensions?.code}`);

export function connectorContract(c: PlatformCase): void {
  describe(`connector contract: ${c.provider}`, () => {
    let gw: TestGateway;
    let origin: string;
    beforeAll(async () => {
      gw = await startTestGateway();
      origin = gw.emulators[c.slug] as string;
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // Sandbox mode connects the demo tenant to every platform and only logs a failure: without
      // this check a missing connection reads as empty lists further down.
      const conns = await gql(gw.url, gw.demoKey, '{ connections { provider status statusReason } }');
      expect(conns.body.data.connections.filter((x: { provider: string }) => x.provider === c.provider)).toEqual([
        { provider: c.provider, status: 'ACTIVE', statusReason: null },
      ]);
    });
    afterAll(() => gw?.close());

    const stats = () => sandbox<Stats>(origin, 'stats');
    const grants = async () => (await stats()).token[c.grant];
    const tokenRequests = async () => Object.values((await stats()).token).reduce((a, b) => a + b, 0);
    const emulatorNow = async () => (await sandbox<{ now: string }>(origin, 'clock')).now;
    const query = (q: string, variables?: Record<string, unknown>) => gql(gw.url, gw.demoKey, q, variables);

    /** Bookings of this platform from the emulator's "now" on: always calls the platform (bookings are never cached). */
    const upcoming = async () =>
      query(`query($from: DateTime) { bookings(first: 5, filter: { providers: [${c.provider}], startsAfter: $from }) { edges { node { id provider } } } }`, {
        from: await emulatorNow(),
      });

    /** Every item of a services/customers listing of this platform, `first` at a time. */
    const walk = async (field: 'services' | 'customers', first: number) => {
      const ids: string[] = [];
      let pages = 0;
      let after: string | null = null;
      for (;;) {
        if (pages === 100) throw new Error(`${field} kept answering hasNextPage after 100 pages`);
        const r: GqlResult = await query(
          `query($first: Int, $after: String) { ${field}(first: $first, after: $after, providers: [${c.provider}]) { edges { node { id provider } } pageInfo { hasNextPage endCursor } } }`,
          { first, after },
        );
        expect(r.body.errors).toBeUndefined();
        const page = r.body.data[field];
        pages++;
        expect(page.edges.length).toBeLessThanOrEqual(first);
        for (const e of page.edges) {
          expect(e.node.provider).toBe(c.provider);
          ids.push(e.node.id);
        }
        if (!page.pageInfo.hasNextPage) break;
        expect(page.edges.length).toBe(first);
        after = page.pageInfo.endCursor;
      }
      return { ids, pages };
    };

    it('reuses its access token across queries', async () => {
      expect((await upcoming()).body.errors).toBeUndefined();
      const before = await grants();
      for (let i = 0; i < 5; i++) {
        const r = await upcoming();
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data.bookings.edges.length).toBeGreaterThan(0);
      }
      expect(await grants()).toBe(before);
    });

    it('renews once after the token expired on the platform clock, and concurrent callers share it', async () => {
      // Past any token the gateway holds, whatever the clock offset already is.
      await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
      const before = await grants();
      const results = await Promise.all(Array.from({ length: 20 }, () => upcoming()));
      expect(results.map((r) => r.body.errors ?? null).filter(Boolean)).toEqual([]);
      expect(await grants()).toBe(before + c.tokensPerQuery);
    });

    it('renews once after a 401 and answers without an error', async () => {
      expect((await upcoming()).body.errors).toBeUndefined();
      const before = await stats();
      await sandbox(origin, 'faults', { match: c.bookingsPath, status: 401, count: 1 });
      try {
        const r = await upcoming();
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data.bookings.edges.length).toBeGreaterThan(0);
        const after = await stats();
        expect(after.unauthorized - before.unauthorized).toBe(1);
        expect(after.token[c.grant] - before.token[c.grant]).toBe(1);
      } finally {
        await sandbox(origin, 'faults', undefined, 'DELETE');
      }
    });

    it('pages bookings to the end: every booking once, in startsAt order', async () => {
      const seen: Array<{ id: string; startsAt: string }> = [];
      let after: string | null = null;
      for (let page = 0; page < 60; page++) {
        const r: GqlResult = await query(
          'query($after: String) { bookings(first: 9, after: $after, filter: { providers: [' +
            c.provider +
            '] }) { edges { node { id startsAt } } pageInfo { hasNextPage endCursor } } }',
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
      const whole = await query(`{ bookings(first: 100, filter: { providers: [${c.provider}] }) { edges { node { id } } pageInfo { hasNextPage } } }`);
      expect(whole.body.errors).toBeUndefined();
      expect(whole.body.data.bookings.pageInfo.hasNextPage).toBe(false);
      expect(seen.map((b) => b.id)).toEqual(whole.body.data.bookings.edges.map((e: any) => e.node.id));
    });

    for (const { field, first } of [
      { field: 'services' as const, first: 2 },
      { field: 'customers' as const, first: 5 },
    ]) {
      it(`pages ${field} ${first} at a time to the end: every item once, the same items as one big page`, async () => {
        const whole = await query(`{ ${field}(first: 100, providers: [${c.provider}]) { edges { node { id } } pageInfo { hasNextPage } } }`);
        expect(whole.body.errors).toBeUndefined();
        expect(whole.body.data[field].pageInfo.hasNextPage).toBe(false);
        const all: string[] = whole.body.data[field].edges.map((e: any) => e.node.id);
        // More than one page, or the walk proves nothing.
        expect(all.length).toBeGreaterThan(first);

        const { ids, pages } = await walk(field, first);
        expect(pages).toBe(Math.ceil(all.length / first));
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...all].sort());
      });
    }

    it('answers batched node lookups in order: its own record or null for an unknown ref, no errors', async () => {
      const lists = await query(`{
        customers(first: 3, providers: [${c.provider}]) { edges { node { id } } }
        services(first: 2, providers: [${c.provider}]) { edges { node { id } } }
        bookings(first: 3, filter: { providers: [${c.provider}] }) { edges { node { id } } }
      }`);
      expect(lists.body.errors).toBeUndefined();
      const real = (field: string): string[] => lists.body.data[field].edges.map((e: any) => e.node.id);
      const [customers, services, bookings] = [real('customers'), real('services'), real('bookings')];
      expect([customers.length, services.length, bookings.length]).toEqual([3, 2, 3]);
      const missing = (id: string) => withRef(id, (c.missingRef ?? unknownRef)(decodeGlobalId(id)[4]));

      // Real and unknown IDs of every type, interleaved; null means "unknown".
      const asked: Array<{ id: string; type: string; known: boolean }> = [
        { id: customers[0], type: 'Customer', known: true },
        { id: missing(customers[0]), type: 'Customer', known: false },
        { id: bookings[0], type: 'Booking', known: true },
        { id: services[0], type: 'Service', known: true },
        { id: missing(bookings[1]), type: 'Booking', known: false },
        { id: customers[2], type: 'Customer', known: true },
        { id: missing(services[1]), type: 'Service', known: false },
        { id: bookings[2], type: 'Booking', known: true },
        { id: services[1], type: 'Service', known: true },
        { id: customers[1], type: 'Customer', known: true },
        { id: missing(customers[2]), type: 'Customer', known: false },
        { id: bookings[1], type: 'Booking', known: true },
      ];
      for (const a of asked) expect(decodeGlobalId(a.id).slice(1, 3)).toEqual([a.type, c.provider]);
      const vars = asked.map((_, i) => `$id${i}: ID!`).join(', ');
      const aliases = asked.map((_, i) => `n${i}: node(id: $id${i}) { __typename id }`).join('\n');
      const r = await query(`query(${vars}) {\n${aliases}\n}`, Object.fromEntries(asked.map((a, i) => [`id${i}`, a.id])));
      expect(r.body.errors).toBeUndefined();
      expect(asked.map((_, i) => r.body.data[`n${i}`])).toEqual(asked.map((a) => (a.known ? { __typename: a.type, id: a.id } : null)));
    });

    it('waits out a short 429 Retry-After; reports a long one as PROVIDER_UNAVAILABLE with retryAfterSeconds', async () => {
      const before = await stats();
      await sandbox(origin, 'faults', { match: c.bookingsPath, status: 429, retryAfterSeconds: 1, count: 1 });
      try {
        const short = await upcoming();
        expect(short.body.errors).toBeUndefined();
        expect((await stats()).rateLimited - before.rateLimited).toBe(1);
        await sandbox(origin, 'faults', { match: c.bookingsPath, status: 429, retryAfterSeconds: 120 });
        const long = await upcoming();
        expect(long.body.errors?.[0].extensions).toMatchObject({ provider: c.provider, code: 'PROVIDER_UNAVAILABLE', retryAfterSeconds: 120 });
      } finally {
        await sandbox(origin, 'faults', undefined, 'DELETE');
      }
    });

    it('turns a malformed payload into PROVIDER_ERROR for this platform only', async () => {
      await sandbox(origin, 'faults', { match: c.bookingsPath, mode: 'malformed', count: 5 });
      try {
        const r = await query('{ bookings(first: 100) { edges { node { provider } } } }');
        expect(codes(r)).toEqual([`${c.provider}:PROVIDER_ERROR`]);
        const providers = new Set(r.body.data.bookings.edges.map((e: any) => e.node.provider));
        expect(providers.has(c.provider)).toBe(false);
        expect(providers.size).toBeGreaterThan(0);
      } finally {
        await sandbox(origin, 'faults', undefined, 'DELETE');
      }
    });

    it('maps the platform status vocabulary onto BookingStatus', async () => {
      const r = await query(`{ bookings(first: 100, filter: { providers: [${c.provider}] }) { edges { node { status } } pageInfo { hasNextPage } } }`);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.bookings.pageInfo.hasNextPage).toBe(false);
      const statuses = [...new Set(r.body.data.bookings.edges.map((e: any) => e.node.status))].sort();
      expect(statuses).toEqual(c.statuses);
    });

    // Last: it leaves the demo connection in NEEDS_REAUTH.
    it('reports a revoked grant as NEEDS_REAUTH without a flood of token or API calls', async () => {
      expect((await upcoming()).body.errors).toBeUndefined();
      await (c.revokedGrant.revoke ?? ((o: string) => sandbox(o, 'revoke-all')))(origin);
      const tokensBefore = await tokenRequests();
      let apiAfterFirst: number | null = null;
      for (let i = 0; i < 10; i++) {
        const r = await query('{ bookings(first: 50) { edges { node { provider } } } }');
        expect(codes(r)).toEqual([`${c.provider}:NEEDS_REAUTH`]);
        // Partial data: the other platforms still answer.
        const providers = new Set(r.body.data.bookings.edges.map((e: any) => e.node.provider));
        expect(providers.has(c.provider)).toBe(false);
        expect(providers.size).toBeGreaterThan(0);
        const { api } = await stats();
        if (apiAfterFirst === null) apiAfterFirst = api;
        else expect(api).toBe(apiAfterFirst);
      }
      expect((await tokenRequests()) - tokensBefore).toBe(c.revokedGrant.tokenRequests);

      const conns = await query('{ connections { provider status statusReason } }');
      const mine = conns.body.data.connections.filter((x: { provider: string }) => x.provider === c.provider);
      expect(mine).toHaveLength(1);
      expect(mine[0].status).toBe('NEEDS_REAUTH');
      // A reason a person can act on, not an empty string.
      expect(mine[0].statusReason?.length ?? 0).toBeGreaterThan(20);
    });
  });
}
