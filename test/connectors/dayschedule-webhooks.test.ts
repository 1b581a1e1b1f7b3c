import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BookingEventType } from '../../src/connectors/enums.js';
import { ProviderError } from '../../src/connectors/errors.js';
import type { Connector, PushedRequest, WebhookRegistration } from '../../src/connectors/types.js';
import { sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { demoConnection, listed } from './webhook-helpers.js';

// DaySchedule's webhook half (docs/platforms/dayschedule.md §4) on the demo tenant's connector of a
// sandbox-mode gateway: triggers registered at the emulator over HTTP, fired with `/__sandbox/events`
// at a local receiver, and the recorded requests run through `verify` and `parse`.

let tg: TestGateway;
let ds: string;
let connector: Connector;
let receiver: Recorder;
let target: { url: string; secret: string };

const { BOOKING_CREATED, BOOKING_CANCELED, BOOKING_STARTING_SOON } = BookingEventType;
const DAY_MS = 86_400_000;

/** `POST /__sandbox/events`: what the emulator did and how many trigger deliveries it attempted. */
const fire = (type: string, bookingId?: string) =>
  sandbox<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }>(ds, 'events', { type, ...(bookingId ? { bookingId } : {}) });

beforeAll(async () => {
  tg = await startTestGateway();
  ds = tg.emulators.dayschedule as string;
  ({ connector } = await demoConnection(tg, 'DAYSCHEDULE'));
  receiver = await startRecorder({ path: '/webhooks/dayschedule/c0nn3ct10n', status: 204 });
  target = { url: receiver.url, secret: 'whsec_a+b/c=d&e' };
});
afterAll(async () => {
  await receiver?.close();
  await tg?.close();
});
beforeEach(() => receiver.clear());

describe('dayschedule webhooks', () => {
  it('declares native api push with timed events', () => {
    const w = connector.webhooks;
    expect(w.mode).toBe('NATIVE');
    expect(w.push).toBe('api');
    expect(w.timedEvents).toBe(true);
    expect(w.events).toEqual(expect.arrayContaining([BOOKING_CREATED, BOOKING_CANCELED, BOOKING_STARTING_SOON]));
  });

  it('registers one trigger per type, delivers to the receiver, verifies and parses; re-sync and sync([]) remove triggers', async () => {
    const w = connector.webhooks;
    const reg = await w.sync!(target, [BOOKING_CREATED, BOOKING_CANCELED], null);
    expect(Object.keys((reg as { triggers: Record<string, string> }).triggers).sort()).toEqual(['event_canceled', 'event_scheduled']);

    // A booking made on the platform: one delivery, at the registered URL with the secret as `k`.
    const created = await fire('event_scheduled');
    expect(created).toMatchObject({ webhooksAttempted: 1, webhooksDelivered: 1 });
    expect(receiver.received).toHaveLength(1);
    const push = receiver.received[0];
    expect(push.query.get('k')).toBe(target.secret);
    expect(w.verify!(push, target.secret)).toBe(true);
    expect(w.verify!(push, 'whsec_a+b/c=X&e')).toBe(false);
    expect(w.verify!(push, `${target.secret}x`)).toBe(false);
    expect(w.verify!({ ...push, query: new URLSearchParams() }, target.secret)).toBe(false);
    expect(w.verify!(push, '')).toBe(false);

    const [event, ...rest] = await w.parse!(push);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ eventId: null, type: BOOKING_CREATED, occurredAt: null });
    expect(event.booking.ref).toBe(created.bookingId);

    // The same booking as `listBookings` has it: same ref, organization, service, customer, times.
    const same = await listed(connector, event.booking);
    expect(same).toBeDefined();
    for (const field of ['ref', 'nativeId', 'organizationRef', 'status', 'serviceRef', 'customerRef', 'timezone'] as const) {
      expect(event.booking[field], field).toEqual(same![field]);
    }
    expect(event.booking.customerRef).not.toBeNull();
    expect(event.booking.startsAt.getTime()).toBe(same!.startsAt.getTime());
    expect(event.booking.endsAt.getTime()).toBe(same!.endsAt.getTime());

    // The invitee cancels it: BOOKING_CANCELED with the cancelled booking.
    receiver.clear();
    expect(await fire('event_canceled', created.bookingId)).toMatchObject({ webhooksAttempted: 1, webhooksDelivered: 1 });
    const [canceled] = await w.parse!(receiver.received[0]);
    expect(canceled.type).toBe(BOOKING_CANCELED);
    expect(canceled.booking).toMatchObject({ ref: created.bookingId, status: 'CANCELED' });

    // Fewer types: the dropped trigger is gone at the emulator, the kept one keeps its id.
    const fewer = (await w.sync!(target, [BOOKING_CREATED], reg)) as { triggers: Record<string, string> };
    expect(fewer.triggers).toEqual({ event_scheduled: (reg as { triggers: Record<string, string> }).triggers.event_scheduled });
    receiver.clear();
    const second = await fire('event_scheduled');
    expect(second.webhooksAttempted).toBe(1);
    expect(await fire('event_canceled', second.bookingId)).toMatchObject({ webhooksAttempted: 0 });
    expect(receiver.received).toHaveLength(1);

    // Nothing wanted: every trigger removed, nothing fires.
    expect(await w.sync!(target, [], fewer)).toBeNull();
    expect(await fire('event_scheduled')).toMatchObject({ webhooksAttempted: 0 });
  });

  it('registers the timed triggers too (before_event → BOOKING_STARTING_SOON)', async () => {
    const w = connector.webhooks;
    const reg = await w.sync!(target, [BOOKING_STARTING_SOON], null);
    expect(Object.keys((reg as { triggers: Record<string, string> }).triggers)).toEqual(['before_event']);
    const booked = await fire('event_scheduled');
    expect(booked.webhooksAttempted).toBe(0);
    expect(await fire('before_event', booked.bookingId)).toMatchObject({ webhooksAttempted: 1, webhooksDelivered: 1 });
    const [event] = await w.parse!(receiver.received[0]);
    expect(event).toMatchObject({ type: BOOKING_STARTING_SOON, booking: { ref: booked.bookingId, status: 'CONFIRMED' } });
    expect(await w.sync!(target, [], reg)).toBeNull();
    expect(await fire('before_event', booked.bookingId)).toMatchObject({ webhooksAttempted: 0 });
  });

  it('moves the triggers to a new receiver URL and deletes the old ones', async () => {
    const w = connector.webhooks;
    const first = await w.sync!(target, [BOOKING_CREATED], null);
    const moved = { url: `${target.url}-2`, secret: 'another-secret' };
    const second = (await w.sync!(moved, [BOOKING_CREATED], first)) as WebhookRegistration & { triggers: Record<string, string> };
    expect(second.triggers.event_scheduled).not.toBe((first as { triggers: Record<string, string> }).triggers.event_scheduled);
    expect(await fire('event_scheduled')).toMatchObject({ webhooksAttempted: 1 });
    expect(receiver.received).toHaveLength(1);
    expect(w.verify!(receiver.received[0], 'another-secret')).toBe(true);
    expect(w.verify!(receiver.received[0], target.secret)).toBe(false);
    expect(await w.sync!(moved, [], second)).toBeNull();
  });

  it('refuses a body that is not a trigger delivery with ProviderError', async () => {
    const w = connector.webhooks;
    const req = (body: string): PushedRequest => ({ headers: {}, query: new URLSearchParams(), rawBody: Buffer.from(body) });
    await expect(w.parse!(req('{not json'))).rejects.toBeInstanceOf(ProviderError);
    await expect(w.parse!(req('{"type":"event_scheduled","booking":{"booking_id":1}}'))).rejects.toBeInstanceOf(ProviderError);
  });

  it('changedBookings lists a booking made on the platform after `since`', async () => {
    const since = new Date(Date.now() - 1000);
    const made = await fire('event_scheduled');
    const changed = await connector.webhooks.changedBookings(since);
    const found = changed.find((b) => b.ref === made.bookingId);
    expect(found).toBeDefined();
    expect(found!.startsAt.getTime()).toBeGreaterThan(Date.now());
    expect(found!.startsAt.getTime()).toBeLessThan(Date.now() + 32 * DAY_MS);
    // A window of start times: past-day bookings are in, nothing outside the window is.
    for (const b of changed) {
      expect(b.startsAt.getTime()).toBeGreaterThanOrEqual(Date.now() - DAY_MS - 60_000);
      expect(b.startsAt.getTime()).toBeLessThan(Date.now() + 32 * DAY_MS);
    }
  });
});
