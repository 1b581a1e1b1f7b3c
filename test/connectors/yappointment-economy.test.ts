import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingPageSize } from '../../src/connectors/yappointment/queries.js';
import { bookingSchema, envelopeOf, listEnvelopeOf, slotSchema } from '../../src/connectors/yappointment/schemas.js';
import { startTestGateway } from '../helpers/gateway.js';
import { byStartThenId, costOf, freshTenant, NESTED, nativeIds, PAGE, type Upstream } from './economy-helpers.js';
import { connectYAppointment, emulatorBookings, SALON } from './yappointment-helpers.js';

/**
 * What reads cost yAppointment (issue "read path at the speed of the slowest platform"): upstream API
 * calls counted by the emulator (`/__sandbox/stats` `api`), through the real gateway over GraphQL.
 * Counts, never times. A "cold" read uses a connection of its own (a new tenant through the consent
 * page), so its caches start empty; a "warm" one repeats a read with a different `first`, so only the
 * connector's own caches can help. The platform filters and sorts bookings like the connector
 * (docs/platforms/yappointment.md §3.4), so a page is one call.
 */

const ONLY = { providers: ['YAPPOINTMENT'] };

let g: Upstream;
/** The Test Salon's bookings in the connector's (startsAt, id) order, from the emulator itself. */
let expected: string[];

/** A new tenant connected to the Test Salon: a connection with cold caches. */
const fresh = () => freshTenant(g.gw, (apiKey) => connectYAppointment(g.gw, apiKey, { account: SALON }));

beforeAll(async () => {
  const gw = await startTestGateway();
  g = { gw, origin: gw.emulators.yappointment as string };
  const bookings: Array<{ id: string; start: string }> = await emulatorBookings(g.origin, SALON);
  expected = bookings
    .map((b) => ({ id: b.id, start: Date.parse(b.start) }))
    .sort(byStartThenId)
    .map((b) => b.id);
});
afterAll(() => g?.gw.close());

describe('yAppointment connector: schemas and page sizes', () => {
  it('builds each envelope schema once and reuses it', () => {
    expect(envelopeOf(bookingSchema)).toBe(envelopeOf(bookingSchema));
    expect(listEnvelopeOf(bookingSchema)).toBe(listEnvelopeOf(bookingSchema));
    expect(listEnvelopeOf(slotSchema)).not.toBe(listEnvelopeOf(bookingSchema));
  });

  it('asks for the page, one more to show it is settled, and the keyset position itself', () => {
    expect(bookingPageSize({ limit: 21 })).toBe(22);
    expect(bookingPageSize({ limit: 21, after: { startsAt: new Date(0), ref: 'bkg_100000001' } })).toBe(23);
    expect(bookingPageSize({ limit: 100 })).toBe(100);
  });
});

describe('yAppointment connector: upstream calls per read', () => {
  it('a first: 20 page is one call, cold and warm, and so is the page after it', async () => {
    const key = await fresh();
    const cold = await costOf(g, key, PAGE, { first: 20, filter: ONLY });
    expect(nativeIds(cold.r)).toEqual(expected.slice(0, 20));
    expect(cold.api).toBe(1);
    const warm = await costOf(g, key, PAGE, { first: 19, filter: ONLY });
    expect(warm.api).toBe(1);
    const next = await costOf(g, key, PAGE, { first: 20, after: cold.r.body.data.bookings.pageInfo.endCursor, filter: ONLY });
    expect(nativeIds(next.r)).toEqual(expected.slice(20, 40));
    expect(next.api).toBe(1);
  });

  it('service, customer and organization of 50 bookings: one listing per relation kind, cold; nothing more warm', async () => {
    const key = await fresh();
    const cold = await costOf(g, key, NESTED, { first: 50, filter: ONLY });
    const nodes = cold.r.body.data.bookings.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.nativeId)).toEqual(expected.slice(0, 50));
    expect(nodes.every((n: any) => n.service?.name && n.customer?.firstName && n.organization?.name)).toBe(true);
    // Bookings, then one listing of services, one of customers, and the company (`/me`, which the
    // consent step may have read into the connection's cache already).
    expect(cold.api).toBeGreaterThanOrEqual(3);
    expect(cold.api).toBeLessThanOrEqual(4);
    const warm = await costOf(g, key, NESTED, { first: 49, filter: ONLY });
    expect(warm.api).toBe(1);
  });

  it('two customers are one listing, not a look-up each', async () => {
    const key = await fresh();
    const r = await costOf(g, key, '{ bookings(first: 2, filter: { providers: [YAPPOINTMENT] }) { edges { node { customer { firstName } } } } }', {});
    const customers = r.r.body.data.bookings.edges.map((e: any) => e.node.customer?.firstName);
    expect(customers).toHaveLength(2);
    expect(customers.every(Boolean)).toBe(true);
    expect(r.api).toBe(2);
  });
});
