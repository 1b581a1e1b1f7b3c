import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  advance,
  api,
  book,
  type Emu,
  expectError,
  freeSlot,
  HARBOR,
  INITIAL_ASSESSMENT,
  type Json,
  listAll,
  MAPLE,
  now,
  OFFSET_TIME,
  PRIYA,
  startOnSched,
  THAMES,
} from './onsched-helpers.js';

let emu: Emu;
let token: string;
beforeAll(async () => {
  emu = await startOnSched();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.reset();
  token = await emu.token();
});

const APPTS = '/consumer/v1/appointments';

describe('onsched appointment creation', () => {
  it('books with completeBooking=BK, links the customer and blocks the slot', async () => {
    const slot = await freeSlot(emu.base, token);
    const body = {
      serviceId: INITIAL_ASSESSMENT,
      resourceId: slot.resourceId,
      startDateTime: slot.startDateTime,
      endDateTime: slot.endDateTime,
      name: 'José Núñez',
      email: 'jose.nunez@example.com',
    };
    const res = await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body });
    expect(res.status).toBe(200);
    const customer = (await api(emu.base, token, '/consumer/v1/customers?email=jose.nunez@example.com')).body.data[0];
    expect(res.body).toMatchObject({
      object: 'appointment',
      status: 'BK',
      confirmed: false,
      locationId: HARBOR.manhattan,
      serviceId: INITIAL_ASSESSMENT,
      serviceName: 'Initial Assessment',
      resourceId: slot.resourceId,
      customerId: customer.id,
      firstname: 'José',
      lastname: 'Núñez',
      startDateTime: slot.startDateTime,
      endDateTime: slot.endDateTime,
      duration: 60,
      timezoneIana: 'America/New_York',
      businessName: 'Harbor Physio – Manhattan',
      onlineBooking: false,
      rescheduledId: null,
    });
    expect(res.body.confirmationNumber).toMatch(/^HP-\d{6}$/);
    expect(res.body.createDate).toMatch(OFFSET_TIME);
    expect((await api(emu.base, token, `${APPTS}/${res.body.id}`)).body).toEqual(res.body);
    // The same time for the same resource is now taken.
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body }), 409, 'conflict');
    // Outside business hours is not free either.
    const night = {
      ...body,
      startDateTime: `${slot.date}T22:00:00${slot.startDateTime.slice(19)}`,
      endDateTime: `${slot.date}T23:00:00${slot.startDateTime.slice(19)}`,
    };
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body: night }), 409, 'conflict');
  });

  it('creates a customer for a new email', async () => {
    const appt = await book(emu.base, token, { body: { name: 'Ngozi Adébáyọ̀', email: 'ngozi@example.org' } });
    const customer = (await api(emu.base, token, '/consumer/v1/customers?email=ngozi@example.org')).body.data[0];
    expect(customer).toMatchObject({ firstname: 'Ngozi', lastname: 'Adébáyọ̀', email: 'ngozi@example.org' });
    expect(appt.customerId).toBe(customer.id);
  });

  it('validates the create body and the completeBooking rules', async () => {
    const slot = await freeSlot(emu.base, token);
    const base = {
      serviceId: INITIAL_ASSESSMENT,
      resourceId: slot.resourceId,
      startDateTime: slot.startDateTime,
      endDateTime: slot.endDateTime,
      name: 'A B',
      email: 'ab@example.org',
    };
    const bad: Array<[string, Json]> = [
      ['BK', { ...base, serviceId: undefined }],
      ['BK', { ...base, serviceId: 'abc' }],
      ['BK', { ...base, startDateTime: undefined }],
      ['BK', { ...base, startDateTime: slot.startDateTime.slice(0, 19) }],
      ['BK', { ...base, endDateTime: slot.startDateTime }],
      ['BK', { ...base, resourceId: undefined }],
      ['BK', { ...base, email: undefined }],
      ['RS', { ...base, name: undefined }],
      ['BK', { ...base, email: 'not-an-email' }],
      ['BK', { ...base, name: 42 }],
      ['XX', base],
    ];
    for (const [complete, body] of bad) {
      expectError(await api(emu.base, token, `${APPTS}?completeBooking=${complete}`, { body }), 400, 'validation_error');
    }
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { raw: 'x', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { raw: '[1,2]' }), 400, 'validation_error');
    // Existence and ownership.
    const maple = (await api(emu.base, token, '/consumer/v1/services', { key: MAPLE.key })).body.data[0];
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body: { ...base, serviceId: maple.id } }), 404, 'not_found');
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body: { ...base, locationId: MAPLE.vancouver } }), 404, 'not_found');
    const denverResource = (await api(emu.base, token, `/consumer/v1/resources?locationId=${HARBOR.denver}`)).body.data[0];
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body: { ...base, resourceId: denverResource.id } }), 404, 'not_found');
    expectError(
      await api(emu.base, token, `${APPTS}?completeBooking=BK`, {
        body: { ...base, name: undefined, email: undefined, customerId: '00000000-0000-4000-8000-000000000000' },
      }),
      404,
      'not_found',
    );
    // In the past → 422.
    const past = { ...base, startDateTime: '2020-03-02T10:00:00-05:00', endDateTime: '2020-03-02T11:00:00-05:00' };
    expectError(await api(emu.base, token, `${APPTS}?completeBooking=BK`, { body: past }), 422, 'unprocessable');
  });

  it('creates an IN hold that book turns into BK and reserve into RS', async () => {
    const slot = await freeSlot(emu.base, token);
    const hold = await api(emu.base, token, APPTS, {
      body: { serviceId: INITIAL_ASSESSMENT, resourceId: slot.resourceId, startDateTime: slot.startDateTime, endDateTime: slot.endDateTime },
    });
    expect(hold.status).toBe(200);
    expect(hold.body).toMatchObject({ status: 'IN', customerId: null, name: null });
    // The hold blocks the slot.
    const again = await freeSlot(emu.base, token, { resourceId: slot.resourceId });
    expect(again.startDateTime === slot.startDateTime && again.resourceId === slot.resourceId).toBe(false);
    // Booking needs name and email when none were given.
    expectError(await api(emu.base, token, `${APPTS}/${hold.body.id}/book`, { method: 'PUT', body: { name: 'Only Name' } }), 400, 'validation_error');
    expectError(await api(emu.base, token, `${APPTS}/${hold.body.id}/book`, { method: 'PUT', body: { email: 42 } }), 400, 'validation_error');
    const booked = await api(emu.base, token, `${APPTS}/${hold.body.id}/book`, {
      method: 'PUT',
      body: { name: 'Søren Kierkegaard', email: 'soren.kierkegaard@example.com', notes: 'Knee' },
    });
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({ status: 'BK', name: 'Søren Kierkegaard', notes: 'Knee' });
    expect(booked.body.customerId).not.toBeNull();
    expectError(await api(emu.base, token, `${APPTS}/${hold.body.id}/book`, { method: 'PUT', body: {} }), 409, 'conflict');
    expectError(await api(emu.base, token, `${APPTS}/${hold.body.id}/reserve`, { method: 'PUT' }), 409, 'conflict');

    const second = await freeSlot(emu.base, token, { daysAhead: 3 });
    const hold2 = await api(emu.base, token, `${APPTS}?completeBooking=IN`, {
      body: {
        serviceId: INITIAL_ASSESSMENT,
        resourceId: second.resourceId,
        startDateTime: second.startDateTime,
        endDateTime: second.endDateTime,
        name: 'Zoë Müller',
        email: 'zoe.muller@example.com',
      },
    });
    const reserved = await api(emu.base, token, `${APPTS}/${hold2.body.id}/reserve`, { method: 'PUT' });
    expect(reserved.body).toMatchObject({ status: 'RS', firstname: 'Zoë', lastname: 'Müller' });
    // A hold without a resource can be created but not booked (a resource is required to book).
    const loose = await api(emu.base, token, APPTS, {
      body: { serviceId: INITIAL_ASSESSMENT, startDateTime: second.startDateTime, endDateTime: second.endDateTime, name: 'A B', email: 'ab@example.org' },
    });
    expect(loose.body).toMatchObject({ status: 'IN', resourceId: null });
    expectError(await api(emu.base, token, `${APPTS}/${loose.body.id}/book`, { method: 'PUT' }), 409, 'conflict');
  });

  it('accepts public bookings with x-client-id and marks them online', async () => {
    const slot = await freeSlot(emu.base, token);
    const res = await api(emu.base, null, `${APPTS}?completeBooking=BK`, {
      headers: { 'x-client-id': HARBOR.clientId },
      body: {
        serviceId: INITIAL_ASSESSMENT,
        resourceId: slot.resourceId,
        startDateTime: slot.startDateTime,
        endDateTime: slot.endDateTime,
        name: 'Amélie Laurent',
        email: 'amelie.laurent@example.com',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'BK', onlineBooking: true, bookedBy: 'amelie.laurent@example.com' });
    // The foreign company cannot be reached with the account's token, and cannot see Harbor's booking.
    expectError(await api(emu.base, token, `${APPTS}/${res.body.id}`, { key: THAMES.key }), 403, 'forbidden');
    expectError(await api(emu.base, token, `${APPTS}/${res.body.id}`, { key: MAPLE.key }), 404, 'not_found');
  });
});

describe('onsched appointment transitions', () => {
  it('confirms (and undoes), moving RS to BK', async () => {
    const bk = await book(emu.base, token);
    const confirmed = await api(emu.base, token, `${APPTS}/${bk.id}/confirm`, { method: 'PUT' });
    expect(confirmed.body).toMatchObject({ status: 'BK', confirmed: true });
    const undone = await api(emu.base, token, `${APPTS}/${bk.id}/confirm?undo=true`, { method: 'PUT' });
    expect(undone.body).toMatchObject({ status: 'BK', confirmed: false });
    const rs = await book(emu.base, token, { complete: 'RS', daysAhead: 3 });
    expect(rs.status).toBe('RS');
    expect((await api(emu.base, token, `${APPTS}/${rs.id}/confirm`, { method: 'PUT' })).body).toMatchObject({ status: 'BK', confirmed: true });
    expectError(await api(emu.base, token, `${APPTS}/${bk.id}/confirm?undo=maybe`, { method: 'PUT' }), 400, 'validation_error');
    const cn = (await listAll(emu.base, token, `${APPTS}?status=CN`))[0];
    expectError(await api(emu.base, token, `${APPTS}/${cn.id}/confirm`, { method: 'PUT' }), 409, 'conflict');
  });

  it('marks no-shows only from BK', async () => {
    const bk = await book(emu.base, token);
    expect((await api(emu.base, token, `${APPTS}/${bk.id}/noshow`, { method: 'PUT' })).body.status).toBe('NS');
    expectError(await api(emu.base, token, `${APPTS}/${bk.id}/noshow`, { method: 'PUT' }), 409, 'conflict');
  });

  it('cancels BK and RS; 409 for another status, 422 in the past, 404 elsewhere', async () => {
    const bk = await book(emu.base, token);
    const cancelled = await api(emu.base, token, `${APPTS}/${bk.id}/cancel`, { method: 'PUT' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CN');
    expect(cancelled.body.auditTrail.at(-1)).toMatchObject({ modificationType: 'Cancelled', statusBefore: 'BK', statusAfter: 'CN' });
    const conflict = await api(emu.base, token, `${APPTS}/${bk.id}/cancel`, { method: 'PUT' });
    expectError(conflict, 409, 'conflict');
    expect(conflict.body.message).toBe('Appointment cannot be cancelled in status CN');
    // The slot is free again.
    expect((await book(emu.base, token, { body: { startDateTime: bk.startDateTime, endDateTime: bk.endDateTime, resourceId: bk.resourceId } })).status).toBe(
      'BK',
    );
    const rs = await book(emu.base, token, { complete: 'RS', daysAhead: 4 });
    expect((await api(emu.base, token, `${APPTS}/${rs.id}/cancel`, { method: 'PUT' })).body.status).toBe('CN');

    const t = await now(emu.base);
    const pastBk = (await listAll(emu.base, token, `${APPTS}?status=BK`)).find((a) => Date.parse(a.startDateTime) < t) as Json;
    expectError(await api(emu.base, token, `${APPTS}/${pastBk.id}/cancel`, { method: 'PUT' }), 422, 'unprocessable');
    expectError(await api(emu.base, token, `${APPTS}/${bk.id}/cancel`, { method: 'PUT', key: MAPLE.key }), 404, 'not_found');
    expectError(await api(emu.base, token, `${APPTS}/nope/cancel`, { method: 'PUT' }), 400, 'validation_error');
    // An appointment that was future becomes past on the emulator clock.
    const later = await book(emu.base, token, { daysAhead: 2 });
    await advance(emu.base, 12 * 86_400);
    token = await emu.token();
    expectError(await api(emu.base, token, `${APPTS}/${later.id}/cancel`, { method: 'PUT' }), 422, 'unprocessable');
  });

  it('reschedules BK appointments, leaving an RE copy at the old time', async () => {
    const bk = await book(emu.base, token);
    const target = await freeSlot(emu.base, token, { daysAhead: 5 });
    const res = await api(emu.base, token, `${APPTS}/${bk.id}/reschedule`, {
      method: 'PUT',
      body: { startDateTime: target.startDateTime, endDateTime: target.endDateTime, resourceId: target.resourceId },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: bk.id, status: 'BK', startDateTime: target.startDateTime, resourceId: target.resourceId });
    const copies = (await listAll(emu.base, token, `${APPTS}?status=RE`)).filter((a) => a.rescheduledId === bk.id);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ startDateTime: bk.startDateTime, customerId: bk.customerId, confirmationNumber: bk.confirmationNumber });
    expect(copies[0].id).not.toBe(bk.id);
    // The old slot is free again (RE does not block), the new one is taken.
    expect((await book(emu.base, token, { body: { startDateTime: bk.startDateTime, endDateTime: bk.endDateTime, resourceId: bk.resourceId } })).status).toBe(
      'BK',
    );
    const other = await book(emu.base, token, { daysAhead: 6 });
    expectError(
      await api(emu.base, token, `${APPTS}/${other.id}/reschedule`, {
        method: 'PUT',
        body: { startDateTime: target.startDateTime, endDateTime: target.endDateTime, resourceId: target.resourceId },
      }),
      409,
      'conflict',
    );
    expectError(
      await api(emu.base, token, `${APPTS}/${other.id}/reschedule`, { method: 'PUT', body: { startDateTime: target.startDateTime } }),
      400,
      'validation_error',
    );
    expectError(
      await api(emu.base, token, `${APPTS}/${other.id}/reschedule`, {
        method: 'PUT',
        body: { startDateTime: '2020-01-06T10:00:00-05:00', endDateTime: '2020-01-06T11:00:00-05:00' },
      }),
      422,
      'unprocessable',
    );
    const denverResource = (await api(emu.base, token, `/consumer/v1/resources?locationId=${HARBOR.denver}`)).body.data[0];
    expectError(
      await api(emu.base, token, `${APPTS}/${other.id}/reschedule`, {
        method: 'PUT',
        body: { startDateTime: target.startDateTime, endDateTime: target.endDateTime, resourceId: denverResource.id },
      }),
      404,
      'not_found',
    );
    await api(emu.base, token, `${APPTS}/${other.id}/cancel`, { method: 'PUT' });
    expectError(
      await api(emu.base, token, `${APPTS}/${other.id}/reschedule`, {
        method: 'PUT',
        body: { startDateTime: target.startDateTime, endDateTime: target.endDateTime },
      }),
      409,
      'conflict',
    );
  });

  it('deletes only IN appointments', async () => {
    const slot = await freeSlot(emu.base, token);
    const hold = await api(emu.base, token, APPTS, {
      body: { serviceId: INITIAL_ASSESSMENT, resourceId: slot.resourceId, startDateTime: slot.startDateTime, endDateTime: slot.endDateTime },
    });
    const deleted = await api(emu.base, token, `${APPTS}/${hold.body.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: hold.body.id, status: 'IN' });
    expectError(await api(emu.base, token, `${APPTS}/${hold.body.id}`), 404, 'not_found');
    const bk = await book(emu.base, token);
    expectError(await api(emu.base, token, `${APPTS}/${bk.id}`, { method: 'DELETE' }), 409, 'conflict');
  });
});

describe('onsched availability', () => {
  it('lists free future times per resource in business hours', async () => {
    const t = await now(emu.base);
    const from = new Date(t).toISOString().slice(0, 10);
    const to = new Date(t + 13 * 86_400_000).toISOString().slice(0, 10);
    const res = await api(emu.base, token, `/consumer/v1/availability/${INITIAL_ASSESSMENT}/${from}/${to}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'availability',
      serviceId: INITIAL_ASSESSMENT,
      serviceName: 'Initial Assessment',
      serviceDuration: 60,
      locationId: HARBOR.manhattan,
      startDate: from,
      endDate: to,
      timezoneName: 'America/New_York',
      availableDays: [],
    });
    const times = res.body.availableTimes as Json[];
    expect(times.length).toBeGreaterThan(20);
    expect(res.body.firstAvailableDate).toBe(times[0].date);
    expect(new Set(times.map((x) => x.resourceId)).size).toBe(2);
    const busy = (await listAll(emu.base, token, APPTS)).filter((a) => ['BK', 'RS', 'IN'].includes(a.status));
    for (const slot of times) {
      expect(slot).toMatchObject({ duration: 60, availableBookings: 1, availableCapacity: 1, allowableBookings: 1, allowableCapacity: 1 });
      const start = Date.parse(slot.startDateTime);
      expect(start).toBeGreaterThan(t);
      expect(Date.parse(slot.endDateTime) - start).toBe(3_600_000);
      expect(slot.time).toBe(Number(slot.startDateTime.slice(11, 13)) * 100 + Number(slot.startDateTime.slice(14, 16)));
      expect(slot.time).toBeGreaterThanOrEqual(800);
      expect(slot.time).toBeLessThanOrEqual(1700);
      expect(slot.displayTime).toMatch(/^\d{1,2}:\d{2}(am|pm)$/);
      const clash = busy.some((a) => a.resourceId === slot.resourceId && Date.parse(a.startDateTime) < start + 3_600_000 && start < Date.parse(a.endDateTime));
      expect(clash).toBe(false);
    }
    // A booked slot disappears for its resource only.
    const first = times[0];
    await book(emu.base, token, { body: { startDateTime: first.startDateTime, endDateTime: first.endDateTime, resourceId: first.resourceId } });
    const after = (await api(emu.base, token, `/consumer/v1/availability/${INITIAL_ASSESSMENT}/${from}/${to}`)).body.availableTimes as Json[];
    const [fs, fe] = [Date.parse(first.startDateTime), Date.parse(first.endDateTime)];
    const overlapping = (x: Json) => x.resourceId === first.resourceId && Date.parse(x.startDateTime) < fe && fs < Date.parse(x.endDateTime);
    expect(after.some(overlapping)).toBe(false);
    expect(after).toEqual(times.filter((x) => !overlapping(x)));
    expect(after.length).toBeLessThan(times.length);
  });

  it('filters by location, resource, time window, and renders another zone', async () => {
    const t = await now(emu.base);
    const from = new Date(t + 86_400_000).toISOString().slice(0, 10);
    const to = new Date(t + 8 * 86_400_000).toISOString().slice(0, 10);
    const path = `/consumer/v1/availability/${INITIAL_ASSESSMENT}/${from}/${to}`;
    const denver = await api(emu.base, token, `${path}?locationId=${HARBOR.denver}`);
    expect(denver.body.timezoneName).toBe('America/Denver');
    expect(denver.body.availableTimes.every((x: Json) => ['-07:00', '-06:00'].includes(x.startDateTime.slice(19)))).toBe(true);
    const priya = await api(emu.base, token, `${path}?resourceId=${PRIYA}&startTime=1000&endTime=1200`);
    expect(priya.body.availableTimes.length).toBeGreaterThan(0);
    expect(priya.body.availableTimes.every((x: Json) => x.resourceId === PRIYA && x.time >= 1000 && x.time <= 1100)).toBe(true);
    const london = await api(emu.base, token, `${path}?timezoneName=Europe/London`);
    expect(london.body.timezoneName).toBe('Europe/London');
    expect(london.body.availableTimes.every((x: Json) => ['+00:00', '+01:00'].includes(x.startDateTime.slice(19)))).toBe(true);
    const short = await api(emu.base, token, `${path}?duration=30&interval=15`);
    expect(short.body.availableTimes[0].duration).toBe(30);
    expect(short.body.availableTimes.length).toBeGreaterThan((await api(emu.base, token, path)).body.availableTimes.length);
  });

  it('validates dates, range and ids', async () => {
    const t = await now(emu.base);
    const day = (n: number) => new Date(t + n * 86_400_000).toISOString().slice(0, 10);
    const base = `/consumer/v1/availability/${INITIAL_ASSESSMENT}`;
    expect((await api(emu.base, token, `${base}/${day(1)}/${day(31)}`)).status).toBe(200);
    expectError(await api(emu.base, token, `${base}/${day(1)}/${day(32)}`), 400, 'validation_error');
    expectError(await api(emu.base, token, `${base}/${day(3)}/${day(1)}`), 400, 'validation_error');
    expectError(await api(emu.base, token, `${base}/2026-02-30/${day(1)}`), 400, 'validation_error');
    expectError(await api(emu.base, token, `/consumer/v1/availability/abc/${day(1)}/${day(2)}`), 400, 'validation_error');
    expectError(await api(emu.base, token, `${base}/${day(1)}/${day(2)}?timezoneName=Mars/Olympus`), 400, 'validation_error');
    expectError(await api(emu.base, token, `${base}/${day(1)}/${day(2)}?startTime=975`), 400, 'validation_error');
    expectError(await api(emu.base, token, `${base}/${day(1)}/${day(2)}`, { key: MAPLE.key }), 404, 'not_found');
    expectError(await api(emu.base, token, `${base}/${day(1)}/${day(2)}?locationId=${MAPLE.vancouver}`), 404, 'not_found');
    const massage = (await api(emu.base, token, '/consumer/v1/services?name=massage')).body.data[0];
    expectError(await api(emu.base, token, `/consumer/v1/availability/${massage.id}/${day(1)}/${day(2)}?locationId=${HARBOR.denver}`), 404, 'not_found');
    // Entirely past ranges have no times.
    const past = await api(emu.base, token, `${base}/${day(-10)}/${day(-2)}`);
    expect(past.body.availableTimes).toEqual([]);
    expect(past.body.firstAvailableDate).toBeNull();
  });
});
