import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  advance,
  api,
  book,
  control,
  type Emu,
  eventually,
  expectError,
  freeSlot,
  HARBOR,
  INITIAL_ASSESSMENT,
  type Json,
  listAll,
  MAPLE,
  now,
  startOnSched,
  startReceiver,
} from './onsched-helpers.js';

const ALL_TRIGGERS = ['NEW_APPOINTMENT', 'APPOINTMENT_CONFIRMED', 'APPOINTMENT_CANCELLED', 'APPOINTMENT_RESCHEDULED', 'APPOINTMENT_REMINDER'];
const APPTS = '/consumer/v1/appointments';
const HOOK = `/v3/webhook?locationId=${HARBOR.manhattan}`;

let emu: Emu;
let token: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  emu = await startOnSched();
  receiver = await startReceiver();
});
afterAll(async () => {
  await emu.close();
  await receiver.close();
});
beforeEach(async () => {
  await emu.reset();
  // Let reminders of the seed that are due right now go out before anything subscribes.
  await advance(emu.base, 0);
  token = await emu.token();
  receiver.received.length = 0;
  receiver.setStatus(200);
});

const subscribe = async (triggers = ALL_TRIGGERS, extra: Json = {}, path = HOOK) => {
  const res = await api(emu.base, token, path, { body: { url: receiver.url, headers: { 'X-Gateway-Token': 's3cr3t' }, triggers, ...extra } });
  expect(res.status).toBe(201);
  return res.body.data as Json;
};

const received = (id: string) => receiver.received.filter((r) => r.body.appointment.id === id);

describe('onsched webhook subscriptions', () => {
  it('creates, lists and replaces location webhooks', async () => {
    expect((await api(emu.base, token, HOOK)).body).toEqual({ status: 'success', data: [] });
    const created = await api(emu.base, token, HOOK, {
      body: {
        url: 'https://gw.example/hooks/onsched',
        headers: { 'X-Gateway-Token': 's3cr3t' },
        triggers: ['NEW_APPOINTMENT', 'APPOINTMENT_CANCELLED'],
        active: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('success');
    expect(created.body.data).toMatchObject({
      locationId: HARBOR.manhattan,
      url: 'https://gw.example/hooks/onsched',
      headers: { 'X-Gateway-Token': 's3cr3t' },
      triggers: ['NEW_APPOINTMENT', 'APPOINTMENT_CANCELLED'],
      active: true,
    });
    expect(created.body.data.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(created.body.data.createdAt) - (await now(emu.base)))).toBeLessThan(5_000);
    expect((await api(emu.base, token, HOOK)).body.data).toEqual([created.body.data]);
    // Webhooks are per location.
    expect((await api(emu.base, token, `/v3/webhook?locationId=${HARBOR.denver}`)).body.data).toEqual([]);

    const set = await api(emu.base, token, `/v3/webhook/setWebhooks?locationId=${HARBOR.manhattan}`, {
      body: {
        webhooks: [
          { url: 'http://127.0.0.1:9/a', triggers: ['APPOINTMENT_REMINDER'] },
          { url: 'http://127.0.0.1:9/b', triggers: ['NEW_APPOINTMENT'], active: false },
        ],
      },
    });
    expect(set.status).toBe(200);
    expect(set.body.data.map((w: Json) => [w.url, w.active, w.headers])).toEqual([
      ['http://127.0.0.1:9/a', true, {}],
      ['http://127.0.0.1:9/b', false, {}],
    ]);
    expect((await api(emu.base, token, HOOK)).body.data).toEqual(set.body.data);
    const cleared = await api(emu.base, token, `/v3/webhook/setWebhooks?locationId=${HARBOR.manhattan}`, { body: { webhooks: [] } });
    expect(cleared.body).toEqual({ status: 'success', data: [] });
    expect((await api(emu.base, token, HOOK)).body.data).toEqual([]);
  });

  it('validates webhook definitions and the location', async () => {
    const bad: Json[] = [
      { url: 'ftp://gw.example/x', triggers: ['NEW_APPOINTMENT'] },
      { url: '/relative', triggers: ['NEW_APPOINTMENT'] },
      { triggers: ['NEW_APPOINTMENT'] },
      { url: 'https://gw.example/x', triggers: [] },
      { url: 'https://gw.example/x' },
      { url: 'https://gw.example/x', triggers: ['BOOKING_CREATED'] },
      { url: 'https://gw.example/x', triggers: ['NEW_APPOINTMENT'], headers: { 'X-Token': 5 } },
      { url: 'https://gw.example/x', triggers: ['NEW_APPOINTMENT'], headers: ['x'] },
      { url: 'https://gw.example/x', triggers: ['NEW_APPOINTMENT'], active: 'yes' },
    ];
    for (const body of bad) expectError(await api(emu.base, token, HOOK, { body }), 400, 'validation_error');
    const good = { url: 'https://gw.example/x', triggers: ['NEW_APPOINTMENT'] };
    expectError(await api(emu.base, token, '/v3/webhook', { body: good }), 400, 'validation_error');
    expectError(await api(emu.base, token, '/v3/webhook?locationId=nope', { body: good }), 400, 'validation_error');
    expectError(await api(emu.base, token, `/v3/webhook?locationId=${MAPLE.vancouver}`, { body: good }), 404, 'not_found');
    expectError(await api(emu.base, token, `/v3/webhook?locationId=${MAPLE.vancouver}`), 404, 'not_found');
    expectError(await api(emu.base, token, HOOK, { raw: 'url=x', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
    expectError(await api(emu.base, token, `/v3/webhook/setWebhooks?locationId=${HARBOR.manhattan}`, { body: { webhooks: {} } }), 400, 'validation_error');
    // One bad entry refuses the whole replacement.
    await subscribe();
    expectError(
      await api(emu.base, token, `/v3/webhook/setWebhooks?locationId=${HARBOR.manhattan}`, { body: { webhooks: [good, { url: 'x' }] } }),
      400,
      'validation_error',
    );
    expect((await api(emu.base, token, HOOK)).body.data).toHaveLength(1);
    const wrong = await api(emu.base, token, `/v3/webhook/setWebhooks?locationId=${HARBOR.manhattan}`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expectError(await api(emu.base, null, HOOK), 401, 'unauthorized');
    // Maple's key manages Maple's locations.
    expect((await api(emu.base, token, `/v3/webhook?locationId=${MAPLE.vancouver}`, { key: MAPLE.key, body: good })).status).toBe(201);
  });
});

describe('onsched webhook delivery', () => {
  it('delivers each trigger with the configured headers and the appointment without sensitive fields', async () => {
    await subscribe();
    const appt = await book(emu.base, token);
    await eventually(() => received(appt.id).length === 1);
    const first = received(appt.id)[0];
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['user-agent']).toBe('OnSched-Webhooks/3.0');
    expect(first.headers['x-gateway-token']).toBe('s3cr3t');
    expect(first.headers['x-message-signature']).toBeUndefined();
    expect(Object.keys(first.body)).toEqual(['appointment', 'trigger']);
    expect(first.body.trigger).toBe('NEW_APPOINTMENT');
    const { ipAddress, stripeChargeId, stripeRefundId, auditTrail, ...expected } = appt;
    expect(first.body.appointment).toEqual(expected);
    for (const field of ['ipAddress', 'stripeChargeId', 'stripeRefundId', 'auditTrail']) expect(first.body.appointment).not.toHaveProperty(field);

    await api(emu.base, token, `${APPTS}/${appt.id}/confirm`, { method: 'PUT' });
    const target = await freeSlot(emu.base, token, { daysAhead: 6 });
    await api(emu.base, token, `${APPTS}/${appt.id}/reschedule`, {
      method: 'PUT',
      body: { startDateTime: target.startDateTime, endDateTime: target.endDateTime, resourceId: target.resourceId },
    });
    await api(emu.base, token, `${APPTS}/${appt.id}/cancel`, { method: 'PUT' });
    await eventually(() => received(appt.id).length === 4);
    const events = received(appt.id);
    expect(events.map((e) => e.body.trigger)).toEqual(['NEW_APPOINTMENT', 'APPOINTMENT_CONFIRMED', 'APPOINTMENT_RESCHEDULED', 'APPOINTMENT_CANCELLED']);
    expect(events[1].body.appointment.confirmed).toBe(true);
    expect(events[2].body.appointment.startDateTime).toBe(target.startDateTime);
    expect(events[3].body.appointment.status).toBe('CN');
    // No-show, undo-confirm and delete fire nothing; an IN hold fires nothing until it is reserved.
    const hold = await api(emu.base, token, APPTS, {
      body: {
        serviceId: INITIAL_ASSESSMENT,
        resourceId: target.resourceId,
        startDateTime: target.startDateTime,
        endDateTime: target.endDateTime,
        name: 'A B',
        email: 'ab@example.org',
      },
    });
    await api(emu.base, token, `${APPTS}/${hold.body.id}/reserve`, { method: 'PUT' });
    await eventually(() => received(hold.body.id).length === 1);
    expect(received(hold.body.id)[0].body).toMatchObject({ trigger: 'NEW_APPOINTMENT', appointment: { status: 'RS' } });
    // RS → BK through confirm is a confirmation, not a new appointment.
    await api(emu.base, token, `${APPTS}/${hold.body.id}/confirm`, { method: 'PUT' });
    await eventually(() => received(hold.body.id).length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(received(hold.body.id).map((e) => e.body.trigger)).toEqual(['NEW_APPOINTMENT', 'APPOINTMENT_CONFIRMED']);
  });

  it('fires only active webhooks of the location with a matching trigger', async () => {
    await subscribe(['APPOINTMENT_CANCELLED']);
    await subscribe(ALL_TRIGGERS, { active: false });
    await subscribe(ALL_TRIGGERS, {}, `/v3/webhook?locationId=${HARBOR.denver}`);
    const appt = await book(emu.base, token);
    await api(emu.base, token, `${APPTS}/${appt.id}/cancel`, { method: 'PUT' });
    await eventually(() => received(appt.id).length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(received(appt.id).map((r) => r.body.trigger)).toEqual(['APPOINTMENT_CANCELLED']);
  });

  it('makes one attempt without retries and counts only 2xx as delivered', async () => {
    await subscribe(['NEW_APPOINTMENT']);
    receiver.setStatus(500);
    await control(emu.base, 'stats/reset');
    const appt = await book(emu.base, token);
    await eventually(() => received(appt.id).length === 1);
    await advance(emu.base, 86_400);
    await new Promise((r) => setTimeout(r, 200));
    expect(received(appt.id)).toHaveLength(1);
    let stats = (await (await fetch(`${emu.base}/__sandbox/stats`)).json()) as { webhooksDelivered: number };
    expect(stats.webhooksDelivered).toBe(0);
    receiver.setStatus(204);
    token = await emu.token();
    const second = await book(emu.base, token);
    await eventually(() => received(second.id).length === 1);
    await new Promise((r) => setTimeout(r, 100));
    stats = (await (await fetch(`${emu.base}/__sandbox/stats`)).json()) as { webhooksDelivered: number };
    expect(stats.webhooksDelivered).toBe(1);
  });

  it('sends APPOINTMENT_REMINDER once, 24 hours before a BK appointment, on the emulator clock', async () => {
    await subscribe(['APPOINTMENT_REMINDER']);
    const bk = await book(emu.base, token, { daysAhead: 3 });
    const rs = await book(emu.base, token, { daysAhead: 3, complete: 'RS' });
    const dueIn = (Date.parse(bk.startDateTime) - 86_400_000 - (await now(emu.base))) / 1000;
    await advance(emu.base, Math.floor(dueIn) - 120);
    expect(received(bk.id)).toHaveLength(0);
    await advance(emu.base, 240);
    expect(received(bk.id).map((r) => r.body.trigger)).toEqual(['APPOINTMENT_REMINDER']);
    expect(received(bk.id)[0].body.appointment).toMatchObject({ id: bk.id, status: 'BK', startDateTime: bk.startDateTime });
    await advance(emu.base, 3 * 86_400);
    expect(received(bk.id)).toHaveLength(1);
    expect(received(rs.id)).toHaveLength(0);
  });

  it('sends a new reminder after a reschedule and none for a cancelled appointment', async () => {
    await subscribe(['APPOINTMENT_REMINDER']);
    const moved = await book(emu.base, token, { daysAhead: 3 });
    const cancelled = await book(emu.base, token, { daysAhead: 3 });
    await api(emu.base, token, `${APPTS}/${cancelled.id}/cancel`, { method: 'PUT' });
    const target = await freeSlot(emu.base, token, { daysAhead: 8 });
    await api(emu.base, token, `${APPTS}/${moved.id}/reschedule`, {
      method: 'PUT',
      body: { startDateTime: target.startDateTime, endDateTime: target.endDateTime, resourceId: target.resourceId },
    });
    const untilOld = (Date.parse(moved.startDateTime) - (await now(emu.base))) / 1000;
    await advance(emu.base, Math.ceil(untilOld));
    expect(received(moved.id)).toHaveLength(0);
    expect(received(cancelled.id)).toHaveLength(0);
    const untilNew = (Date.parse(target.startDateTime) - 86_400_000 - (await now(emu.base))) / 1000;
    await advance(emu.base, Math.ceil(untilNew) + 1);
    expect(received(moved.id).map((r) => r.body.appointment.startDateTime)).toEqual([target.startDateTime]);
  });
});

describe('onsched sandbox events', () => {
  const event = async (body: Json) => {
    const res = await control(emu.base, 'events', body);
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('NEW_APPOINTMENT books the first free slot ≥ 24 h ahead online and fires the webhooks', async () => {
    await subscribe(['NEW_APPOINTMENT']);
    await subscribe(['NEW_APPOINTMENT'], { url: 'http://127.0.0.1:9/unreachable' });
    const t = await now(emu.base);
    const res = await event({ type: 'NEW_APPOINTMENT' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'NEW_APPOINTMENT', webhooksAttempted: 2, webhooksDelivered: 1 });
    const appt = (await api(emu.base, token, `${APPTS}/${res.body.bookingId}`)).body;
    expect(appt).toMatchObject({ status: 'BK', onlineBooking: true, serviceId: INITIAL_ASSESSMENT, locationId: HARBOR.manhattan });
    expect(Date.parse(appt.startDateTime)).toBeGreaterThanOrEqual(t + 86_400_000);
    expect(received(appt.id)).toHaveLength(1);
    // It took the earliest free slot: nothing free earlier for any resource.
    const from = new Date(t + 86_400_000).toISOString().slice(0, 10);
    const to = appt.date;
    const avail = (await api(emu.base, token, `/consumer/v1/availability/${INITIAL_ASSESSMENT}/${from}/${to}`)).body.availableTimes as Json[];
    expect(avail.filter((x) => Date.parse(x.startDateTime) >= t + 86_400_000 && Date.parse(x.startDateTime) < Date.parse(appt.startDateTime))).toEqual([]);
  });

  it('applies CONFIRMED, RESCHEDULED (one day later), REMINDER and CANCELLED to a booking', async () => {
    await subscribe();
    // A slot whose same time one day later is free for the same resource.
    const from = new Date((await now(emu.base)) + 4 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.parse(from) + 10 * 86_400_000).toISOString().slice(0, 10);
    const times = (await api(emu.base, token, `/consumer/v1/availability/${INITIAL_ASSESSMENT}/${from}/${to}`)).body.availableTimes as Json[];
    const key = (x: Json, shift = 0) => `${x.resourceId}@${Date.parse(x.startDateTime) + shift}`;
    const free = new Set(times.map((x) => key(x)));
    const slot = times.find((x) => free.has(key(x, 86_400_000))) as Json;
    const appt = await book(emu.base, token, { body: { resourceId: slot.resourceId, startDateTime: slot.startDateTime, endDateTime: slot.endDateTime } });
    await eventually(() => received(appt.id).length === 1);
    expect((await event({ type: 'APPOINTMENT_CONFIRMED', bookingId: appt.id })).body).toMatchObject({
      bookingId: appt.id,
      webhooksAttempted: 1,
      webhooksDelivered: 1,
    });
    expect((await event({ type: 'APPOINTMENT_CONFIRMED', bookingId: appt.id })).status).toBe(409);
    expect((await event({ type: 'APPOINTMENT_RESCHEDULED', bookingId: appt.id })).status).toBe(200);
    const moved = (await api(emu.base, token, `${APPTS}/${appt.id}`)).body;
    expect(Date.parse(moved.startDateTime) - Date.parse(appt.startDateTime)).toBe(86_400_000);
    expect((await event({ type: 'APPOINTMENT_REMINDER', bookingId: appt.id })).body.webhooksDelivered).toBe(1);
    expect((await api(emu.base, token, `${APPTS}/${appt.id}`)).body.lastModifiedOn).toBe(moved.lastModifiedOn);
    expect((await event({ type: 'APPOINTMENT_CANCELLED', bookingId: appt.id })).status).toBe(200);
    expect((await api(emu.base, token, `${APPTS}/${appt.id}`)).body.status).toBe('CN');
    expect(received(appt.id).map((r) => r.body.trigger)).toEqual([
      'NEW_APPOINTMENT',
      'APPOINTMENT_CONFIRMED',
      'APPOINTMENT_RESCHEDULED',
      'APPOINTMENT_REMINDER',
      'APPOINTMENT_CANCELLED',
    ]);
    expect((await event({ type: 'APPOINTMENT_CANCELLED', bookingId: appt.id })).status).toBe(409);
    expect((await event({ type: 'APPOINTMENT_REMINDER', bookingId: appt.id })).status).toBe(409);
  });

  it('NEW_APPOINTMENT with a bookingId completes an IN hold', async () => {
    const hold = (await listAll(emu.base, token, `${APPTS}?status=IN`))[0];
    await subscribe(['NEW_APPOINTMENT'], {}, `/v3/webhook?locationId=${hold.locationId}`);
    const res = await event({ type: 'NEW_APPOINTMENT', bookingId: hold.id });
    expect(res.body).toMatchObject({ bookingId: hold.id, webhooksAttempted: 1, webhooksDelivered: 1 });
    const booked = (await api(emu.base, token, `${APPTS}/${hold.id}`)).body;
    expect(booked.status).toBe('BK');
    expect(booked.customerId).not.toBeNull();
    expect(received(hold.id)[0].body).toMatchObject({ trigger: 'NEW_APPOINTMENT', appointment: { id: hold.id, status: 'BK' } });
    expect((await event({ type: 'NEW_APPOINTMENT', bookingId: hold.id })).status).toBe(409);
  });

  it('refuses unknown types, missing and unknown bookings', async () => {
    expect((await event({ type: 'BOOKING_CREATED' })).status).toBe(400);
    expect((await event({ type: 'APPOINTMENT_CANCELLED' })).status).toBe(400);
    expect((await event({ type: 'APPOINTMENT_CANCELLED', bookingId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const t = await now(emu.base);
    const past = (await listAll(emu.base, token, `${APPTS}?status=BK`)).find((a) => Date.parse(a.startDateTime) < t) as Json;
    expect((await event({ type: 'APPOINTMENT_CANCELLED', bookingId: past.id })).status).toBe(409);
    const inHold = (await listAll(emu.base, token, `${APPTS}?status=IN`))[0];
    expect((await event({ type: 'APPOINTMENT_RESCHEDULED', bookingId: inHold.id })).status).toBe(409);
  });
});

describe('onsched webhooks across revoke-all and reset', () => {
  it('keeps subscriptions on revoke-all and drops them on reset', async () => {
    await subscribe();
    await control(emu.base, 'revoke-all');
    const minted = ((await (await fetch(`${emu.base}/__sandbox/credentials`)).json()) as { refresh_token: string }).refresh_token;
    emu.refresh = minted;
    token = await emu.token();
    expect((await api(emu.base, token, HOOK)).body.data).toHaveLength(1);
    await emu.reset();
    token = await emu.token();
    expect((await api(emu.base, token, HOOK)).body.data).toEqual([]);
  });
});
