import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/sandbox/yappointment/webhooks.js';
import { advance, api, CLINIC, control, type Emu, emulatorNow, KEYS, SALON, startReceiver, startYApp, waitFor } from './yappointment-helpers.js';

let emu: Emu;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  emu = await startYApp();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(emu, 'reset');
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const ALL_EVENTS = [
  'booking.created',
  'booking.updated',
  'booking.cancelled',
  'booking.rescheduled',
  'booking.completed',
  'booking.no_show',
  'customer.created',
  'customer.updated',
];

async function subscribe(companyId = SALON, events = ALL_EVENTS, url = receiver.url) {
  const res = await control(emu, 'webhooks', { companyId, url, events });
  expect(res.status).toBe(201);
  return res.json();
}

const hmac = (secret: string, raw: string) => createHmac('sha256', secret).update(raw).digest('hex');
const event = (type: string, bookingId?: string) => control(emu, 'events', bookingId ? { type, bookingId } : { type });
const salonBookings = async () => (await (await api(emu, KEYS[SALON], '/api/v1/bookings', { limit: 100 })).json()).data as Array<Record<string, string>>;

describe('yAppointment webhook signatures (§4)', () => {
  it('matches the contract test vector', () => {
    expect(signBody('whsec_test', '{}')).toBe('46bdc2a2e83964bd2695acc6a1f97162d8bafc135a071aa5cd5c99aae5481440');
  });
});

describe('yAppointment admin-UI stand-in (/__sandbox/webhooks)', () => {
  it('creates, lists and deletes subscriptions, and validates the body', async () => {
    const sub = await subscribe(SALON, ['booking.created', 'booking.cancelled']);
    expect(sub).toEqual({
      id: 'wh_100000001',
      companyId: SALON,
      url: receiver.url,
      events: ['booking.created', 'booking.cancelled'],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9]{32}$/),
      active: true,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
    expect(await (await fetch(`${emu.baseUrl}/__sandbox/webhooks`)).json()).toEqual([sub]);
    for (const body of [
      { companyId: '000000000000000000000000', url: receiver.url, events: ['booking.created'] },
      { companyId: SALON, url: 'ftp://x', events: ['booking.created'] },
      { companyId: SALON, url: receiver.url, events: [] },
      { companyId: SALON, url: receiver.url, events: ['booking.canceled'] },
    ]) {
      const res = await control(emu, 'webhooks', body);
      expect(res.status).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    const del = await control(emu, `webhooks/${sub.id}`, undefined, 'DELETE');
    expect(await del.json()).toEqual({ deleted: true });
    expect((await control(emu, `webhooks/${sub.id}`, undefined, 'DELETE')).status).toBe(404);
    expect(await (await fetch(`${emu.baseUrl}/__sandbox/webhooks`)).json()).toEqual([]);
  });
});

describe('yAppointment webhook delivery', () => {
  it('sends booking.created and booking.cancelled for API changes, signed, after the answer', async () => {
    const sub = await subscribe();
    const clinicReceiver = await startReceiver();
    await subscribe(CLINIC, ['booking.created'], clinicReceiver.url);
    try {
      const now = await emulatorNow(emu);
      const slot = (
        await (
          await api(emu, KEYS[SALON], '/api/v1/slots', {
            serviceId: 'srv_100000104',
            from: new Date(now + 86_400_000).toISOString(),
            to: new Date(now + 3 * 86_400_000).toISOString(),
          })
        ).json()
      ).data[0];
      const customerId = (await (await api(emu, KEYS[SALON], '/api/v1/customers', {})).json()).data[0].id;
      const created = (await (await api(emu, KEYS[SALON], '/api/v1/bookings/create', { serviceId: 'srv_100000104', customerId, start: slot.start })).json())
        .data;
      await waitFor(() => receiver.received.length === 1);
      const hook = receiver.received[0];
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['user-agent']).toBe('yAppointment-Webhooks/1.0');
      expect(hook.headers['x-webhook-signature']).toBe(hmac(sub.secret, hook.raw));
      expect(hook.body).toEqual({
        id: expect.stringMatching(/^evt_\d{9}$/),
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        event: 'booking.created',
        data: created,
      });
      await api(emu, KEYS[SALON], `/api/v1/bookings/${created.id}/cancel`, { reason: 'test' });
      await waitFor(() => receiver.received.length === 2);
      const cancel = receiver.received[1];
      expect(cancel.body.event).toBe('booking.cancelled');
      expect(cancel.body.data).toMatchObject({ id: created.id, status: 'cancelled', cancellationReason: 'test' });
      expect(cancel.body.id).not.toBe(hook.body.id);
      // The clinic's subscription saw nothing of the salon.
      expect(clinicReceiver.received).toHaveLength(0);
      const stats = await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json();
      expect(stats.webhooksDelivered).toBe(2);
    } finally {
      await clinicReceiver.close();
    }
  });

  it('sends customer.created with the customer object; only subscribed events are sent', async () => {
    await subscribe(SALON, ['customer.created']);
    const created = (
      await (await api(emu, KEYS[SALON], '/api/v1/customers/create', { firstName: 'Zoë', lastName: 'Ångström', email: 'zoe.a@example.org' })).json()
    ).data;
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0].body).toMatchObject({ event: 'customer.created', data: created });
    // Not subscribed to booking.updated.
    const b = (await salonBookings())[0];
    const r = await (await event('booking.updated', b.id)).json();
    expect(r).toEqual({ type: 'booking.updated', bookingId: b.id, webhooksAttempted: 0, webhooksDelivered: 0 });
  });

  it('retries after 1 min, 5 min, 30 min, 2 h, 6 h, 24 h and 48 h, then dead-letters', async () => {
    const sub = await subscribe(SALON, ['booking.updated']);
    receiver.setStatus(500);
    const b = (await salonBookings())[0];
    const r = await (await event('booking.updated', b.id)).json();
    expect(r).toMatchObject({ webhooksAttempted: 1, webhooksDelivered: 0 });
    expect(receiver.received).toHaveLength(1);
    const delays = [60, 300, 1_800, 7_200, 21_600, 86_400, 172_800];
    for (const [i, delay] of delays.entries()) {
      // 10 s of slack for real time passing between the attempt and the clock move.
      await advance(emu, delay - 10);
      expect(receiver.received, `before retry ${i + 1}`).toHaveLength(i + 1);
      await advance(emu, 10);
      expect(receiver.received, `retry ${i + 1}`).toHaveLength(i + 2);
      const retry = receiver.received[i + 1];
      expect(retry.raw).toBe(receiver.received[0].raw);
      expect(retry.headers['x-webhook-signature']).toBe(hmac(sub.secret, retry.raw));
    }
    await advance(emu, 30 * 86_400);
    expect(receiver.received).toHaveLength(8);
  });

  it('stops retrying once an attempt succeeds', async () => {
    await subscribe(SALON, ['booking.updated']);
    receiver.setStatus(503);
    const b = (await salonBookings())[0];
    await event('booking.updated', b.id);
    receiver.setStatus(204);
    await advance(emu, 60);
    expect(receiver.received).toHaveLength(2);
    await advance(emu, 3 * 86_400);
    expect(receiver.received).toHaveLength(2);
    expect((await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json()).webhooksDelivered).toBe(1);
  });
});

describe('yAppointment /__sandbox/events (§4)', () => {
  it('booking.created books the earliest free slot of the first service at least 24 h ahead', async () => {
    await subscribe();
    const now = await emulatorNow(emu);
    const r = await (await event('booking.created')).json();
    expect(r).toMatchObject({ type: 'booking.created', bookingId: expect.stringMatching(/^bkg_\d{9}$/), webhooksAttempted: 1, webhooksDelivered: 1 });
    const b = (await (await api(emu, KEYS[SALON], `/api/v1/bookings/${r.bookingId}`)).json()).data;
    expect(b.serviceId).toBe('srv_100000101');
    expect(b.status).toBe('confirmed');
    expect(Date.parse(b.start)).toBeGreaterThanOrEqual(now + 86_400_000);
    const slots = (
      await (
        await api(emu, KEYS[SALON], '/api/v1/slots', { serviceId: 'srv_100000101', from: new Date(now + 86_400_000 + 5_000).toISOString(), to: b.start })
      ).json()
    ).data;
    expect(slots).toEqual([]);
    expect(receiver.received[0].body).toMatchObject({ event: 'booking.created', data: b });
  });

  it('applies cancelled, rescheduled, updated, completed, no_show and customer.updated', async () => {
    await subscribe();
    const now = await emulatorNow(emu);
    const future = (await salonBookings()).filter((b) => b.status === 'confirmed' && Date.parse(b.start) > now);
    const [a, b, c, d] = future;
    const get = async (id: string) => (await (await api(emu, KEYS[SALON], `/api/v1/bookings/${id}`)).json()).data;

    expect((await (await event('booking.cancelled', a.id)).json()).webhooksDelivered).toBe(1);
    expect(await get(a.id)).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    expect((await event('booking.cancelled', a.id)).status).toBe(409);

    await event('booking.rescheduled', b.id);
    const moved = await get(b.id);
    const hours = (iso: string) =>
      new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
    expect(hours(moved.start)).toBe(hours(b.start));
    const shift = Date.parse(moved.start) - Date.parse(b.start);
    expect([23, 24, 25].map((h) => h * 3_600_000)).toContain(shift);
    expect(Date.parse(moved.end) - Date.parse(moved.start)).toBe(Date.parse(b.end) - Date.parse(b.start));

    await event('booking.updated', c.id);
    expect((await get(c.id)).notes).toMatch(/^Updated on yAppointment at /);

    await event('booking.completed', c.id);
    expect((await get(c.id)).status).toBe('completed');
    expect((await event('booking.no_show', c.id)).status).toBe(409);
    await event('booking.no_show', d.id);
    expect((await get(d.id)).status).toBe('no_show');

    const r = await (await event('customer.updated', d.id)).json();
    expect(r).toMatchObject({ bookingId: d.id, webhooksAttempted: 1 });
    const customer = (await (await api(emu, KEYS[SALON], `/api/v1/customers/${d.customerId}`)).json()).data;
    const types = receiver.received.map((h) => h.body.event);
    expect(types).toEqual(['booking.cancelled', 'booking.rescheduled', 'booking.updated', 'booking.completed', 'booking.no_show', 'customer.updated']);
    expect(receiver.received[5].body.data).toEqual(customer);
    expect(customer.updatedAt).not.toBe(customer.createdAt);
    expect(receiver.received[1].body.data).toMatchObject({ id: b.id, start: moved.start });
    expect(new Set(receiver.received.map((h) => h.body.id)).size).toBe(6);
  });

  it('answers 400 for unknown types and missing bookingId, 404 for unknown bookings', async () => {
    expect((await event('booking.deleted', 'bkg_200000001')).status).toBe(400);
    expect((await event('booking.cancelled')).status).toBe(400);
    const unknown = await event('booking.cancelled', 'bkg_999999999');
    expect(unknown.status).toBe(404);
    expect(typeof (await unknown.json()).error).toBe('string');
    const completed = (await salonBookings()).find((b) => b.status === 'completed') as Record<string, string>;
    expect((await event('booking.cancelled', completed.id)).status).toBe(409);
    expect((await event('booking.rescheduled', completed.id)).status).toBe(409);
  });
});

describe('yAppointment reset', () => {
  it('restores the seed and clears subscriptions', async () => {
    const before = await salonBookings();
    await subscribe();
    await api(emu, KEYS[SALON], '/api/v1/customers/create', { firstName: 'A', lastName: 'B', email: 'a.b@example.org' });
    await event('booking.created');
    await control(emu, 'reset');
    expect(await salonBookings()).toEqual(before);
    expect((await (await api(emu, KEYS[SALON], '/api/v1/customers', {})).json()).meta.pagination.total).toBe(12);
    expect(await (await fetch(`${emu.baseUrl}/__sandbox/webhooks`)).json()).toEqual([]);
  });
});
