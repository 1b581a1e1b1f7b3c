import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlResult, gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectBookingtime, emulatorNow, type Stats, stats } from './bookingtime-helpers.js';

/**
 * What a page of bookings costs bookingtime (issue "read path at the speed of the slowest
 * platform"), counted at the emulator — App API calls and organization-token requests — through the
 * real gateway (GraphQL over HTTP), never timed. bookingtime has no list-all route: the connector
 * reads calendar months (`listMonth`), from the page's lower bound on, a few at a time, and stops
 * once the page is settled. A cold case uses a connection of its own (a new tenant), so its caches
 * and organization tokens start empty; the gateway's response cache is off (test default), so every
 * count is the connector's own.
 */
describe('bookingtime connector: upstream calls per page', () => {
  let gw: TestGateway;
  let bt: string;
  /** Every connection here covers the two permitted demo organizations (one access token each). */
  const ORGS = 2;
  /** The most months one round reads per organization (provider.ts `monthsInFlight`). */
  const ROUND = 4;
  /** Months before now a page without a lower bound starts at (provider.ts `bookingLookbackMonths`). */
  const LOOKBACK = 12;
  const DAY = 86_400_000;

  const PAGE = `query($first: Int, $after: String, $filter: BookingFilter) {
    bookings(first: $first, after: $after, filter: $filter) { edges { node { nativeId startsAt } } pageInfo { hasNextPage endCursor } }
  }`;
  const ONLY = { providers: ['BOOKINGTIME'] };

  /** A new tenant connected to bookingtime: cold caches, cold organization tokens. */
  const fresh = async () => {
    const { apiKey } = await gw.tenant();
    await connectBookingtime(gw.url, apiKey, bt);
    return apiKey;
  };
  /** Runs `query`: its answer, the App API calls and organization-token requests it cost. */
  const costOf = async (apiKey: string, query: string, variables: Record<string, unknown>) => {
    const before: Stats = await stats(bt);
    const r: GqlResult = await gql(gw.url, apiKey, query, variables);
    const after: Stats = await stats(bt);
    expect(r.body.errors).toBeUndefined();
    const cost = { api: after.api - before.api, tokens: after.token.refresh_token - before.token.refresh_token };
    return { ...cost, page: r.body.data.bookings as { edges: Array<{ node: any }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
  };
  const ids = (page: { edges: Array<{ node: any }> }) => page.edges.map((e) => e.node.nativeId as string);
  /** The same bookings in one big page, to hold the cheap pages against. */
  const whole = async (apiKey: string, filter: Record<string, unknown>) => ids((await costOf(apiKey, PAGE, { first: 100, filter })).page);
  const report = (what: string, c: { api: number; tokens: number }) => console.info(`[bookingtime economy] ${what}: api=${c.api} tokens=${c.tokens}`);

  beforeAll(async () => {
    gw = await startTestGateway();
    bt = gw.emulators.bookingtime as string;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a page from a lower bound: at most one round of months per organization, cold and warm', async () => {
    const key = await fresh();
    const filter = { ...ONLY, startsAfter: new Date((await emulatorNow(bt)).getTime() - 20 * DAY).toISOString() };
    const cold = await costOf(key, PAGE, { first: 20, filter });
    report('first 20 from startsAfter, cold', cold);
    expect(cold.api).toBeLessThanOrEqual(ROUND * ORGS);
    expect(cold.tokens).toBe(ORGS); // one access token per organization, once
    // Another page size, so nothing but the connector's own caches can help.
    const warm = await costOf(key, PAGE, { first: 19, filter });
    report('first 19 from startsAfter, warm', warm);
    expect(warm.api).toBeLessThanOrEqual(ROUND * ORGS);
    expect(warm.tokens).toBe(0);
    expect(ids(cold.page)).toEqual((await whole(key, filter)).slice(0, 20));
  });

  it('a page in the middle via after: at most one round of months per organization, also on a cold connection', async () => {
    const key = await fresh();
    const first = await costOf(key, PAGE, { first: 20, filter: ONLY });
    const after = first.page.pageInfo.endCursor;
    const second = await costOf(key, PAGE, { first: 20, after, filter: ONLY });
    report('page 2 via after', second);
    expect(second.api).toBeLessThanOrEqual(ROUND * ORGS);
    const big = (await costOf(key, PAGE, { first: 100, filter: ONLY })).page;
    const all = ids(big);
    const starts = big.edges.map((e) => Date.parse(e.node.startsAt));
    expect(ids(first.page)).toEqual(all.slice(0, 20));
    expect(ids(second.page)).toEqual(all.slice(20, 40));

    // The same position asked by a connection that has read nothing yet: it starts at the keyset
    // position, not at the look-back. (Its twin of the booking at the cursor sorts just before or
    // just after that one in the merged order, by connection id, so the page starts there or after.)
    // Cursors are bound to their tenant: the gateway signs the same position for the other one.
    const other = await fresh();
    const { tenants, reads } = gw.gateway.services;
    const tenantOf = async (apiKey: string) => (await tenants.authenticate(apiKey))?.id as string;
    const position = reads.cursors.decodeBooking(await tenantOf(key), after);
    const otherAfter = reads.cursors.bookingCursor(await tenantOf(other), { ...position, startsAt: new Date(position.startsAt) });
    const cold = await costOf(other, PAGE, { first: 20, after: otherAfter, filter: ONLY });
    report('page 2 via after, cold', cold);
    expect(cold.api).toBeLessThanOrEqual(ROUND * ORGS);
    expect(cold.tokens).toBe(ORGS);
    const at = Date.parse(first.page.edges[19].node.startsAt);
    const from = (keep: (startsAt: number) => boolean) =>
      all
        .map((id, i) => ({ id, startsAt: starts[i] }))
        .filter((b) => keep(b.startsAt))
        .slice(0, 20)
        .map((b) => b.id);
    expect([from((t) => t > at), from((t) => t >= at)]).toContainEqual(ids(cold.page));
  });

  for (const first of [20, 50]) {
    it(`first: ${first} without bounds: the look-back read once, then at most one round of months per organization`, async () => {
      const key = await fresh();
      const cold = await costOf(key, PAGE, { first, filter: ONLY });
      report(`first ${first} without bounds, cold`, cold);
      // No route tells where the appointments begin (§3.4): a first page without a lower bound reads
      // each month of the look-back once (they ended, so they stay cached), then what the page needs.
      expect(cold.api).toBeLessThanOrEqual((LOOKBACK + ROUND) * ORGS);
      expect(cold.tokens).toBe(ORGS);
      const warm = await costOf(key, PAGE, { first: first - 1, filter: ONLY });
      report(`first ${first - 1} without bounds, warm`, warm);
      expect(warm.api).toBeLessThanOrEqual(ROUND * ORGS);
      expect(warm.tokens).toBe(0);
      expect(ids(cold.page)).toEqual((await whole(key, ONLY)).slice(0, first));
    });
  }

  it('the demo connection (organizations from its settings): first: 20 cold, then warm', async () => {
    const cold = await costOf(gw.demoKey, PAGE, { first: 20, filter: ONLY });
    report('demo first 20, cold', cold);
    expect(cold.api).toBeLessThanOrEqual((LOOKBACK + ROUND) * ORGS);
    expect(cold.tokens).toBe(ORGS);
    const warm = await costOf(gw.demoKey, PAGE, { first: 21, filter: ONLY });
    report('demo first 21, warm', warm);
    expect(warm.api).toBeLessThanOrEqual(ROUND * ORGS);
  });

  it('nested service, customer and organization of 50 bookings: at most one call per relation kind per organization', async () => {
    const nested = (fields: string) =>
      `query($first: Int, $filter: BookingFilter) { bookings(first: $first, filter: $filter) { edges { node { nativeId ${fields} } } } }`;
    const vars = { first: 50, filter: ONLY };
    const key = await fresh();
    await costOf(key, PAGE, vars); // the look-back, once
    // What the bookings page itself costs now (months that can still change are read every time),
    // so what a nested query costs beyond it is its relations.
    const page = async () => (await costOf(key, nested(''), vars)).api;
    for (const [kind, fields] of [
      ['service', 'service { name }'],
      ['customer', 'customer { firstName }'],
      ['organization', 'organization { name }'],
    ]) {
      const plain = await page();
      const r = await costOf(key, nested(fields), vars);
      report(`nested ${kind}: beyond the page`, { api: r.api - plain, tokens: r.tokens });
      expect(r.api - plain).toBeLessThanOrEqual(ORGS);
      expect(r.page.edges.every((e) => e.node[kind] !== null)).toBe(true);
    }

    // All three at once on a connection that has none of them cached.
    const other = await fresh();
    await costOf(other, PAGE, vars);
    const before = await costOf(other, nested(''), vars);
    const all = await costOf(other, nested('service { name } customer { firstName } organization { name }'), vars);
    report('nested all three: beyond the page', { api: all.api - before.api, tokens: all.tokens });
    expect(all.api - before.api).toBeLessThanOrEqual(3 * ORGS);
    expect(all.page.edges).toHaveLength(50);
    for (const { node } of all.page.edges) expect([node.service?.name, node.customer?.firstName, node.organization?.name].every(Boolean)).toBe(true);
  });
});
