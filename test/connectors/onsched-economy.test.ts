import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstBookingPageSize } from '../../src/connectors/onsched/queries.js';
import { appointmentSchema, customerSchema, listOf } from '../../src/connectors/onsched/schemas.js';
import { BookingStatus } from '../../src/connectors/enums.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connectOrFail, costOf, freshTenant, nativeIds, PAGE, type Upstream } from './economy-helpers.js';
import { demoCredentials } from './onsched-helpers.js';

/**
 * What reads cost OnSched (issue "read path at the speed of the slowest platform"): upstream API
 * calls counted by the emulator (`/__sandbox/stats` `api`), through the real gateway over GraphQL.
 * Counts, never times. A "cold" read uses a connection of its own (a new tenant), so its caches start
 * empty; a "warm" one repeats a read with a different `first`, so only the connector's own caches can
 * help. One connection covers two companies, each called with its own API key
 * (docs/platforms/onsched.md §2.3): the floor is one call per company per kind of record.
 */

const NESTED = `query($first: Int, $filter: BookingFilter) {
  bookings(first: $first, filter: $filter) { edges { node { nativeId service { name } customer { email } organization { name } } } }
}`;
const ONLY = { providers: ['ONSCHED'] };
const COMPANIES = 2;

let g: Upstream;

/** A new tenant connected with the dashboard's credentials (both companies): a connection with cold caches. */
const fresh = () => freshTenant(g.gw, async (apiKey) => connectOrFail(g.gw, apiKey, 'ONSCHED', await demoCredentials(g.origin)));

beforeAll(async () => {
  const gw = await startTestGateway();
  g = { gw, origin: gw.emulators.onsched as string };
});
afterAll(() => g?.gw.close());

describe('OnSched connector: schemas and page sizes', () => {
  it('builds each list schema once and reuses it', () => {
    expect(listOf(appointmentSchema)).toBe(listOf(appointmentSchema));
    expect(listOf(customerSchema)).not.toBe(listOf(appointmentSchema));
  });

  it('asks for twice the page (holds and placeholders are no bookings), more with a lower bound, all with statuses it filters itself', () => {
    expect(firstBookingPageSize({ limit: 21 })).toBe(44);
    expect(firstBookingPageSize({ limit: 21, startsAfter: new Date(0) })).toBe(65);
    // One platform status that holds only the wanted bookings: no holds come back.
    expect(firstBookingPageSize({ limit: 21, statuses: [BookingStatus.CANCELED] })).toBe(22);
    // BK is CONFIRMED or COMPLETED: the connector tells them apart, so a full page.
    expect(firstBookingPageSize({ limit: 21, statuses: [BookingStatus.CONFIRMED] })).toBe(100);
    expect(firstBookingPageSize({ limit: 60 })).toBe(100);
  });
});

describe('OnSched connector: upstream calls per read', () => {
  it('a first: 20 page is one call per company, cold and warm, and so is the page after it', async () => {
    const reference = await costOf(g, await fresh(), PAGE, { first: 100, filter: ONLY });
    const key = await fresh();
    const cold = await costOf(g, key, PAGE, { first: 20, filter: ONLY });
    expect(nativeIds(cold.r)).toEqual(nativeIds(reference.r).slice(0, 20));
    expect(cold.api).toBe(COMPANIES);
    const warm = await costOf(g, key, PAGE, { first: 19, filter: ONLY });
    expect(warm.api).toBe(COMPANIES);
    const next = await costOf(g, key, PAGE, { first: 20, after: cold.r.body.data.bookings.pageInfo.endCursor, filter: ONLY });
    expect(nativeIds(next.r)).toEqual(nativeIds(reference.r).slice(20, 40));
    expect(next.api).toBe(COMPANIES);
  });

  it('service, customer and organization of 50 bookings: one call or listing per company per relation kind, cold; nothing more warm', async () => {
    const key = await fresh();
    const cold = await costOf(g, key, NESTED, { first: 50, filter: ONLY });
    const nodes = cold.r.body.data.bookings.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(50);
    // (A business customer has an e-mail but no first name.)
    expect(nodes.every((n: any) => n.service?.name && n.customer?.email && n.organization?.name)).toBe(true);
    // Per company: appointments, the service listing, the customer listing, the company itself
    // (which the connect step may have read into the connection's cache already).
    expect(cold.api).toBeGreaterThanOrEqual(3 * COMPANIES);
    expect(cold.api).toBeLessThanOrEqual(4 * COMPANIES);
    const warm = await costOf(g, key, NESTED, { first: 49, filter: ONLY });
    expect(warm.api).toBe(COMPANIES);
  });

  it('the customers of a short page cost at most one call per company', async () => {
    const key = await fresh();
    const r = await costOf(g, key, '{ bookings(first: 8, filter: { providers: [ONSCHED] }) { edges { node { customer { email } } } } }', {});
    const customers = r.r.body.data.bookings.edges.map((e: any) => e.node.customer?.email);
    expect(customers).toHaveLength(8);
    expect(customers.every(Boolean)).toBe(true);
    expect(r.api).toBeLessThanOrEqual(2 * COMPANIES);
  });
});
