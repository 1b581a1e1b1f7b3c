import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Poller } from '../../src/events/poller.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectionOf, type Json, listen, subscribe, waitFor } from './event-helpers.js';

/**
 * Polling through a real gateway whose own timer is slowed to an hour: rounds are run by hand
 * (`poller.tick()`), so what one round costs at the platform can be counted; the response cache is on.
 */

let tg: TestGateway;
let listener: Awaited<ReturnType<typeof listen>>;
const unsubscribe = (id: string) => gql(tg.url, tg.demoKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id });
const apiCalls = async (origin: string) => (await sandbox<{ api: number }>(origin, 'stats')).api;

beforeAll(async () => {
  tg = await startTestGateway({ env: { POLL_INTERVAL_SECONDS: '3600', RESPONSE_CACHE: 'on' } });
  listener = await listen(tg.url, tg.demoKey);
}, 60_000);
afterAll(async () => {
  await listener?.close();
  await tg?.close();
});

describe('polling', () => {
  it('one poll per connection per round, however many subscriptions it has; none once they are gone', async () => {
    const origin = tg.emulators.yappointment as string;
    const connection = await connectionOf(tg.url, tg.demoKey, 'YAPPOINTMENT');
    const subs: Json[] = [];
    for (const events of [['BOOKING_CREATED'], ['BOOKING_CANCELED'], ['BOOKING_CREATED', 'BOOKING_CANCELED']]) {
      subs.push(await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events }));
    }
    const before = await apiCalls(origin);
    await tg.gateway.services.poller.tick();
    // One `updatedSince` listing (yAppointment) for three subscriptions.
    expect((await apiCalls(origin)) - before).toBe(1);
    for (const s of subs) await unsubscribe(s.id);
    const after = await apiCalls(origin);
    await tg.gateway.services.poller.tick();
    expect((await apiCalls(origin)) - after).toBe(0);
  });

  it('an event drops the cached bookings it makes stale: the next query shows the new booking inside the cache TTL', async () => {
    const origin = tg.emulators.dayschedule as string;
    const connection = await connectionOf(tg.url, tg.demoKey, 'DAYSCHEDULE');
    const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'] });
    const query = `query($after: DateTime) { bookings(first: 100, filter: { providers: [DAYSCHEDULE], startsAfter: $after }) { edges { node { nativeId } } } }`;
    const variables = { after: new Date(Date.now() + 23 * 3_600_000).toISOString() };
    const ids = async () => ((await gql(tg.url, tg.demoKey, query, variables)).body.data.bookings.edges as Json[]).map((e) => e.node.nativeId);
    await ids();
    const cached = await apiCalls(origin);
    await ids();
    expect(await apiCalls(origin)).toBe(cached);

    const seen = listener.seen.length;
    const made = await sandbox(origin, 'events', { type: 'event_scheduled' });
    expect(await waitFor(() => listener.seen.length > seen, 3_000)).toBe(true);
    expect(await ids()).toContain(made.bookingId);
    await unsubscribe(sub.id);
  });

  it('where the platform has no time triggers, BOOKING_STARTING_SOON, STARTED and ENDED come from booking times, each once', async () => {
    const connection = await connectionOf(tg.url, tg.demoKey, 'ONSCHED');
    const upcoming = await gql(
      tg.url,
      tg.demoKey,
      `query($after: DateTime) { bookings(first: 1, filter: { providers: [ONSCHED], status: [CONFIRMED], startsAfter: $after }) { edges { node { id startsAt endsAt } } } }`,
      { after: new Date(Date.now() + 3_600_000).toISOString() },
    );
    const booking = upcoming.body.data.bookings.edges[0].node as Json;
    const sub = await subscribe(tg.url, tg.demoKey, {
      connectionId: connection.id,
      events: ['BOOKING_STARTING_SOON', 'BOOKING_STARTED', 'BOOKING_ENDED'],
    });
    // A poller on a clock of the test's own, over the gateway's real parts (store, connector, intake).
    const { services } = tg.gateway;
    let clock = Date.parse(booking.startsAt) - 4 * 60_000;
    const poller = new Poller({
      store: services.store,
      subscriptions: services.subscriptions,
      connections: services.connections,
      connector: (r) => services.hub.connector(r),
      intake: services.intake,
      intervalMs: 3_600_000,
      log: services.log,
      now: () => clock,
    });
    const record = (await services.connections.listForTenant((await services.tenants.findByName('demo'))!.id)).find((c) => c.provider === 'ONSCHED')!;
    const timed = () => listener.seen.filter((e) => e.booking.id === booking.id).map((e) => e.type);

    await poller.poll(record);
    expect(await waitFor(() => timed().length === 1, 2_000)).toBe(true);
    clock = Date.parse(booking.startsAt) + 60_000;
    await poller.poll(record);
    clock = Date.parse(booking.endsAt) + 1_000;
    await poller.poll(record);
    await poller.poll(record);
    expect(await waitFor(() => timed().length >= 3, 2_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(timed()).toEqual(['BOOKING_STARTING_SOON', 'BOOKING_STARTED', 'BOOKING_ENDED']);
    await unsubscribe(sub.id);
  });
});
