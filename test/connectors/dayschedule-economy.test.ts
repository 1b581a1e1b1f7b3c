import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstBookingPageSize } from '../../src/connectors/dayschedule/queries.js';
import { bookingSchema, contactSchema, listOf } from '../../src/connectors/dayschedule/schemas.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connectDaySchedule, emulatorList } from './dayschedule-helpers.js';
import { byStartThenId, costOf, freshTenant, NESTED, nativeIds, PAGE, type Upstream } from './economy-helpers.js';

/**
 * What reads cost DaySchedule (issue "read path at the speed of the slowest platform"): upstream API
 * calls counted by the emulator (`/__sandbox/stats` `api`), through the real gateway over GraphQL.
 * Counts, never times. A "cold" read uses a connection of its own (a new tenant through the consent
 * page), so its caches start empty; a "warm" one repeats a read with a different `first`, so only the
 * connector's own caches can help. Bookings link to customers by the first invitee's e-mail, so a
 * bookings page also needs the (cached) contact listing (docs/platforms/dayschedule.md §6).
 */

const ONLY = { providers: ['DAYSCHEDULE'] };

let g: Upstream;
/** Organization 1117's bookings in the connector's (startsAt, id) order, from the emulator itself. */
let expected: string[];

/** A new tenant connected to organization 1117: a connection with cold caches. */
const fresh = () => freshTenant(g.gw, (apiKey) => connectDaySchedule(g.gw.url, apiKey, 1117));

beforeAll(async () => {
  const gw = await startTestGateway();
  g = { gw, origin: gw.emulators.dayschedule as string };
  const bookings = await emulatorList<{ booking_id: string; start_at: string }>(g.origin, 1117, '/v1/bookings');
  expected = bookings
    .map((b) => ({ id: b.booking_id, start: Date.parse(b.start_at) }))
    .sort(byStartThenId)
    .map((b) => b.id);
});
afterAll(() => g?.gw.close());

describe('DaySchedule connector: schemas and page sizes', () => {
  it('builds each list schema once and reuses it', () => {
    expect(listOf(bookingSchema)).toBe(listOf(bookingSchema));
    expect(listOf(contactSchema)).not.toBe(listOf(bookingSchema));
  });

  it('asks for the page and one more, more when the lower bound is a whole day or a filter is applied here', () => {
    expect(firstBookingPageSize(21, { dayWidened: false, filteredHere: false })).toBe(22);
    expect(firstBookingPageSize(21, { dayWidened: true, filteredHere: false })).toBe(43);
    expect(firstBookingPageSize(21, { dayWidened: false, filteredHere: true })).toBe(100);
    expect(firstBookingPageSize(99, { dayWidened: true, filteredHere: false })).toBe(100);
  });
});

describe('DaySchedule connector: upstream calls per read', () => {
  it('a first: 20 page is one bookings call and the contact listing cold, one call warm; the page after it one more', async () => {
    const key = await fresh();
    const cold = await costOf(g, key, PAGE, { first: 20, filter: ONLY });
    expect(nativeIds(cold.r)).toEqual(expected.slice(0, 20));
    // One page of 22 bookings (20, the gateway's one more, one to show the page is settled) and the
    // contact listing that links them to customers.
    expect(cold.api).toBe(2);
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
    // Bookings; contacts (one listing: the booking links and the customers); resources; and the
    // organization, which has no endpoint of its own: its users and pages (§3.1), read once.
    expect(cold.api).toBe(5);
    const warm = await costOf(g, key, NESTED, { first: 49, filter: ONLY });
    expect(warm.api).toBe(1);
  });

  it('customers of a short page come from the contact listing already read, not a look-up each', async () => {
    const key = await fresh();
    const r = await costOf(g, key, '{ bookings(first: 3, filter: { providers: [DAYSCHEDULE] }) { edges { node { customer { firstName } } } } }', {});
    const customers = r.r.body.data.bookings.edges.map((e: any) => e.node.customer?.firstName);
    expect(customers).toHaveLength(3);
    expect(customers.every(Boolean)).toBe(true);
    // The bookings page and the contact listing; the customers are found in it.
    expect(r.api).toBe(2);
  });

  it('a time window asks for whole UTC days and stops at its end', async () => {
    const key = await fresh();
    const all = await emulatorList<{ booking_id: string; start_at: string }>(g.origin, 1117, '/v1/bookings');
    const startOf = new Map(all.map((b) => [b.booking_id, Date.parse(b.start_at)]));
    const from = startOf.get(expected[10]) as number;
    const to = (startOf.get(expected[15]) as number) + 1;
    const r = await costOf(g, key, PAGE, {
      first: 50,
      filter: { ...ONLY, startsAfter: new Date(from).toISOString(), startsBefore: new Date(to).toISOString() },
    });
    const inside = expected.filter((id) => (startOf.get(id) as number) >= from && (startOf.get(id) as number) < to);
    expect(inside.length).toBeGreaterThanOrEqual(6);
    expect(nativeIds(r.r)).toEqual(inside);
    // One bookings call (the window's days) and the contact listing: the page ends at `startsBefore`.
    expect(r.api).toBe(2);
  });
});
