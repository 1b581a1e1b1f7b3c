import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advance, api, CLINIC, connect, control, type Emu, emulatorNow, GYM, KEYS, SALON, startYApp } from './yappointment-helpers.js';

let emu: Emu;
beforeAll(async () => {
  emu = await startYApp();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(emu, 'reset');
});

const salon = (path: string, body?: unknown, method?: string) => api(emu, KEYS[SALON], path, body, method);
const json = async (res: Response | Promise<Response>) => (await res).json();

/** Local wall-clock fields of an instant in a zone. */
function local(iso: string, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour12: false, weekday: 'short', hour: '2-digit', minute: '2-digit' }).formatToParts(
    new Date(iso),
  );
  const get = (t: string) => parts.find((p) => p.type === t)?.value as string;
  return { weekday: get('weekday'), minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Business hours of the seed companies (Assumed by the emulator; see seed.ts). */
function insideSalonHours(start: string, end: string): boolean {
  const s = local(start, 'America/New_York');
  const e = local(end, 'America/New_York');
  if (s.weekday === 'Sun') return false;
  const [open, close] = s.weekday === 'Sat' ? [600, 960] : [540, 1080];
  return s.minutes >= open && (e.minutes <= close || e.minutes === 0) && e.minutes > s.minutes;
}

describe('yAppointment envelope and company (§3, §3.1)', () => {
  it('serves /me on GET and POST with the documented envelope', async () => {
    const get = await salon('/api/v1/me');
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const now = await emulatorNow(emu);
    const body = await get.json();
    expect(body).toEqual({
      status: true,
      data: {
        _id: SALON,
        name: 'Test Salon',
        email: 'hello@testsalon.example',
        phone: '+12125550100',
        address: '123 Main St, New York, NY 10001',
        timezone: 'America/New_York',
        currency: 'USD',
        createdAt: '2024-01-15T10:30:00Z',
      },
      meta: { timestamp: expect.any(Number), version: 'v1' },
    });
    expect(Math.abs(body.meta.timestamp - now)).toBeLessThan(5_000);
    const post = await json(salon('/api/v1/me', {}));
    expect(post.data._id).toBe(SALON);
    const empty = await fetch(`${emu.baseUrl}/api/v1/me`, { method: 'POST', headers: { authorization: `Bearer ${KEYS[GYM]}` } });
    expect((await empty.json()).data).toMatchObject({ _id: GYM, timezone: 'Australia/Sydney', currency: 'AUD' });
  });

  it('answers unknown paths 404 and wrong methods 405 with Allow, in the error envelope', async () => {
    const missing = await salon('/api/v1/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ status: false, error: { code: 'NOT_FOUND', message: expect.any(String) }, meta: { timestamp: expect.any(Number) } });
    const wrong = await salon('/api/v1/bookings', undefined, 'GET');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await wrong.json()).status).toBe(false);
  });

  it('refuses non-JSON bodies with 415 and malformed JSON with 400', async () => {
    const form = await fetch(`${emu.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS[SALON]}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'filter=1',
    });
    expect(form.status).toBe(415);
    expect((await form.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const bad = await fetch(`${emu.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS[SALON]}`, 'content-type': 'application/json; charset=utf-8' },
      body: '{"filter":',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('BAD_REQUEST');
    const array = await salon('/api/v1/bookings', []);
    expect(array.status).toBe(400);
    expect((await array.json()).error.code).toBe('VALIDATION_ERROR');
  });
});

describe('yAppointment services and employees (§3.2)', () => {
  it('lists services with the active filter and fetches one; other companies’ ids are 404', async () => {
    const all = await json(salon('/api/v1/services', undefined, 'POST'));
    expect(all.data).toHaveLength(5);
    expect(all.meta.pagination).toEqual({ page: 1, limit: 20, total: 5, totalPages: 1, hasMore: false });
    const first = all.data[0];
    expect(first).toEqual({
      id: 'srv_100000101',
      name: 'Hair Consultation',
      description: 'Style advice and trim',
      duration: 60,
      price: 45,
      currency: 'USD',
      active: true,
      requiresApproval: false,
      employeeIds: ['emp_100000201', 'emp_100000202'],
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    const active = await json(salon('/api/v1/services', { filter: { active: true } }));
    expect(active.data.map((s: { active: boolean }) => s.active)).toEqual([true, true, true, true]);
    expect(active.data.some((s: { requiresApproval: boolean }) => s.requiresApproval)).toBe(true);
    expect((await json(salon('/api/v1/services', { filter: { active: false } }))).data).toHaveLength(1);
    expect((await salon('/api/v1/services', { filter: { active: 'yes' } })).status).toBe(400);
    expect((await json(salon('/api/v1/services/srv_100000101'))).data).toEqual(first);
    const clinicService = (await json(api(emu, KEYS[CLINIC], '/api/v1/services', {}))).data[0];
    expect(clinicService.currency).toBe('GBP');
    const foreign = await salon(`/api/v1/services/${clinicService.id}`);
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe('NOT_FOUND');
  });

  it('lists employees, filtered by service', async () => {
    const all = await json(salon('/api/v1/employees', {}));
    expect(all.data).toHaveLength(3);
    expect(all.data[0]).toEqual({
      id: 'emp_100000201',
      name: 'Maria López',
      email: 'maria@testsalon.example',
      serviceIds: expect.arrayContaining(['srv_100000101']),
      active: true,
    });
    const forService = await json(salon('/api/v1/employees', { filter: { serviceId: 'srv_100000103' } }));
    expect(forService.data.map((e: { id: string }) => e.id)).toEqual(['emp_100000202', 'emp_100000203']);
    expect((await salon('/api/v1/employees', { filter: { serviceId: 5 } })).status).toBe(400);
  });
});

describe('yAppointment customers (§3.3)', () => {
  it('pages, filters by exact email and searches names case-insensitively', async () => {
    const page = await json(salon('/api/v1/customers', { page: 3, limit: 5 }));
    expect(page.meta.pagination).toEqual({ page: 3, limit: 5, total: 12, totalPages: 3, hasMore: false });
    expect(page.data).toHaveLength(2);
    const page1 = await json(salon('/api/v1/customers', { limit: 5 }));
    expect(page1.meta.pagination.hasMore).toBe(true);
    const zoe = await json(salon('/api/v1/customers', { filter: { search: 'MÜL' } }));
    expect(zoe.data).toHaveLength(1);
    expect(zoe.data[0]).toMatchObject({
      firstName: 'Zoë',
      lastName: 'Müller',
      name: 'Zoë Müller',
      email: 'zoe.muller@example.com',
      timezone: 'America/New_York',
    });
    const byEmail = await json(salon('/api/v1/customers', { filter: { email: 'zoe.muller@example.com' } }));
    expect(byEmail.data.map((c: { id: string }) => c.id)).toEqual([zoe.data[0].id]);
    expect((await json(salon('/api/v1/customers', { filter: { email: 'zoe.muller@example' } }))).data).toHaveLength(0);
    expect((await json(salon(`/api/v1/customers/${zoe.data[0].id}`))).data).toEqual(zoe.data[0]);
    expect((await salon('/api/v1/customers', { limit: 101 })).status).toBe(400);
    expect((await salon('/api/v1/customers', { page: 0 })).status).toBe(400);
    const clinicCustomer = (await json(api(emu, KEYS[CLINIC], '/api/v1/customers', {}))).data[0];
    expect((await salon(`/api/v1/customers/${clinicCustomer.id}`)).status).toBe(404);
  });

  it('creates customers (201), refuses duplicates (409) and bad fields (400 with details)', async () => {
    const created = await salon('/api/v1/customers/create', { firstName: 'Renée', lastName: 'Østergaard', email: 'renee@example.org', phone: '+12125550199' });
    expect(created.status).toBe(201);
    const c = (await created.json()).data;
    expect(c).toMatchObject({
      firstName: 'Renée',
      lastName: 'Østergaard',
      name: 'Renée Østergaard',
      email: 'renee@example.org',
      phone: '+12125550199',
      timezone: 'America/New_York',
    });
    expect(c.id).toMatch(/^cust_\d{9}$/);
    expect(c.createdAt).toBe(c.updatedAt);
    expect((await json(salon(`/api/v1/customers/${c.id}`))).data).toEqual(c);
    const dup = await salon('/api/v1/customers/create', { firstName: 'R', lastName: 'O', email: 'RENEE@example.org' });
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.code).toBe('DUPLICATE_EMAIL');
    // Another company may use the same email.
    expect((await api(emu, KEYS[CLINIC], '/api/v1/customers/create', { firstName: 'R', lastName: 'O', email: 'renee@example.org' })).status).toBe(201);
    const bad = await salon('/api/v1/customers/create', { firstName: '', email: 'nope', timezone: 'Mars/Base' });
    expect(bad.status).toBe(400);
    const err = (await bad.json()).error;
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'firstName', 'lastName', 'timezone']);
  });
});

describe('yAppointment bookings (§3.4)', () => {
  it('lists bookings sorted by start then id, with paging and the §3.4 fields', async () => {
    const all = await json(salon('/api/v1/bookings', { limit: 100 }));
    expect(all.meta.pagination.total).toBeGreaterThanOrEqual(40);
    const starts = all.data.map((b: { start: string }) => Date.parse(b.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const b = all.data[0];
    expect(Object.keys(b)).toEqual([
      'id',
      'companyId',
      'customerId',
      'serviceId',
      'employeeId',
      'customerName',
      'customerEmail',
      'serviceName',
      'employeeName',
      'start',
      'end',
      'timezone',
      'status',
      'price',
      'currency',
      'notes',
      'cancelledAt',
      'cancellationReason',
      'createdAt',
      'updatedAt',
    ]);
    expect(b.id).toMatch(/^bkg_\d{9}$/);
    expect(b.companyId).toBe(SALON);
    expect(b.timezone).toBe('America/New_York');
    const page2 = await json(salon('/api/v1/bookings', { page: 2, limit: 20 }));
    expect(page2.data.map((x: { id: string }) => x.id)).toEqual(all.data.slice(20, 40).map((x: { id: string }) => x.id));
    expect(page2.meta.pagination).toMatchObject({ page: 2, limit: 20, totalPages: Math.ceil(all.meta.pagination.total / 20), hasMore: true });
    // The customer, service and employee names match the linked records.
    const customer = (await json(salon(`/api/v1/customers/${b.customerId}`))).data;
    expect(b.customerName).toBe(customer.name);
    expect(b.customerEmail).toBe(customer.email);
  });

  it('filters by status (string or array), from/to, ids and updatedSince', async () => {
    const all = (await json(salon('/api/v1/bookings', { limit: 100 }))).data as Array<Record<string, string>>;
    const confirmed = await json(salon('/api/v1/bookings', { filter: { status: 'confirmed' }, limit: 100 }));
    expect(confirmed.data.length).toBe(all.filter((b) => b.status === 'confirmed').length);
    expect(confirmed.data.every((b: { status: string }) => b.status === 'confirmed')).toBe(true);
    const two = await json(salon('/api/v1/bookings', { filter: { status: ['cancelled', 'no_show'] }, limit: 100 }));
    expect(two.data.length).toBe(all.filter((b) => b.status === 'cancelled' || b.status === 'no_show').length);
    const from = all[10].start;
    const to = all[20].start;
    const window = await json(salon('/api/v1/bookings', { filter: { from, to }, limit: 100 }));
    expect(window.data.map((b: { id: string }) => b.id)).toEqual(all.filter((b) => b.start >= from && b.start < to).map((b) => b.id));
    for (const key of ['serviceId', 'customerId', 'employeeId'] as const) {
      const value = all[3][key];
      const res = await json(salon('/api/v1/bookings', { filter: { [key]: value }, limit: 100 }));
      expect(res.data.length).toBe(all.filter((b) => b[key] === value).length);
    }
    const sorted = [...all].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    const since = sorted[30].updatedAt;
    const recent = await json(salon('/api/v1/bookings', { filter: { updatedSince: since }, limit: 100 }));
    expect(recent.data.length).toBe(all.filter((b) => b.updatedAt >= since).length);
    for (const filter of [{ status: 'canceled' }, { status: [] }, { from: '2026-01-01' }, { updatedSince: 5 }, { customerId: 7 }]) {
      const res = await salon('/api/v1/bookings', { filter });
      expect(res.status, JSON.stringify(filter)).toBe(400);
      expect((await res.json()).error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [expect.objectContaining({ field: expect.stringMatching(/^filter\./) })],
      });
    }
    expect((await salon('/api/v1/bookings', { filter: 'confirmed' })).status).toBe(400);
  });

  it('gets one booking; other companies’ bookings are 404', async () => {
    const b = (await json(salon('/api/v1/bookings', {}))).data[0];
    expect((await json(salon(`/api/v1/bookings/${b.id}`))).data).toEqual(b);
    expect((await api(emu, KEYS[CLINIC], `/api/v1/bookings/${b.id}`)).status).toBe(404);
    expect((await salon('/api/v1/bookings/bkg_999999999')).status).toBe(404);
  });

  it('creates a booking in a free slot (201 confirmed) and refuses the same slot again (409)', async () => {
    const slots = (
      await json(
        salon('/api/v1/slots', {
          serviceId: 'srv_100000101',
          from: new Date(Date.now() + 86_400_000).toISOString(),
          to: new Date(Date.now() + 8 * 86_400_000).toISOString(),
        }),
      )
    ).data;
    const slot = slots[0];
    const customerId = (await json(salon('/api/v1/customers', {}))).data[0].id;
    const res = await salon('/api/v1/bookings/create', {
      serviceId: 'srv_100000101',
      customerId,
      start: slot.start,
      employeeId: slot.employeeId,
      notes: 'Gateway test',
    });
    expect(res.status).toBe(201);
    const b = (await res.json()).data;
    expect(b).toMatchObject({
      serviceId: 'srv_100000101',
      customerId,
      employeeId: slot.employeeId,
      start: slot.start,
      end: slot.end,
      status: 'confirmed',
      price: 45,
      currency: 'USD',
      notes: 'Gateway test',
      cancelledAt: null,
    });
    expect(Date.parse(b.end) - Date.parse(b.start)).toBe(60 * 60_000);
    expect((await json(salon(`/api/v1/bookings/${b.id}`))).data).toEqual(b);
    const again = await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId, start: slot.start, employeeId: slot.employeeId });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('SLOT_UNAVAILABLE');
    // Without employeeId the next free employee of the service is taken.
    const other = await json(salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId, start: slot.start }));
    expect(other.data.employeeId).not.toBe(slot.employeeId);
    expect(await (await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId, start: slot.start })).json()).toMatchObject({
      error: { code: 'SLOT_UNAVAILABLE' },
    });
    // The slot has gone from availability.
    const after = (await json(salon('/api/v1/slots', { serviceId: 'srv_100000101', from: slot.start, to: slot.end }))).data;
    expect(after).toEqual([]);
  });

  it('creates pending bookings for services that need approval', async () => {
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 9 * 86_400_000).toISOString();
    const slot = (await json(salon('/api/v1/slots', { serviceId: 'srv_100000103', from, to }))).data[0];
    const customerId = (await json(salon('/api/v1/customers', {}))).data[1].id;
    const res = await json(salon('/api/v1/bookings/create', { serviceId: 'srv_100000103', customerId, start: slot.start }));
    expect(res.data.status).toBe('pending');
  });

  it('refuses past, off-grid, out-of-hours and inactive-service starts with 409, and bad bodies with 400/404', async () => {
    const customerId = (await json(salon('/api/v1/customers', {}))).data[0].id;
    const slot = (
      await json(
        salon('/api/v1/slots', {
          serviceId: 'srv_100000101',
          from: new Date(Date.now() + 86_400_000).toISOString(),
          to: new Date(Date.now() + 8 * 86_400_000).toISOString(),
        }),
      )
    ).data[0];
    const base = Date.parse(slot.start);
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const attempts = [
      iso(Date.now() - 86_400_000 - (Date.now() % 900_000)), // past
      iso(base + 5 * 60_000), // off the 15-minute grid
      iso(base + 30_000), // not a whole minute
      iso(base - 6 * 3_600_000), // before opening
    ];
    for (const start of attempts) {
      const res = await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId, start });
      expect(res.status, start).toBe(409);
      expect((await res.json()).error.code).toBe('SLOT_UNAVAILABLE');
    }
    expect((await salon('/api/v1/bookings/create', { serviceId: 'srv_100000105', customerId, start: slot.start })).status).toBe(409);
    // An employee who does not perform the service has no slot.
    expect((await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId, start: slot.start, employeeId: 'emp_100000203' })).status).toBe(
      409,
    );
    const missing = await salon('/api/v1/bookings/create', { customerId, start: 'tomorrow' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.details.map((d: { field: string }) => d.field).sort()).toEqual(['serviceId', 'start']);
    expect((await salon('/api/v1/bookings/create', { serviceId: 'srv_999999999', customerId, start: slot.start })).status).toBe(404);
    expect((await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId: 'cust_999999999', start: slot.start })).status).toBe(404);
    expect((await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId, start: slot.start, employeeId: 'emp_999999999' })).status).toBe(
      404,
    );
    const clinicCustomer = (await json(api(emu, KEYS[CLINIC], '/api/v1/customers', {}))).data[0].id;
    expect((await salon('/api/v1/bookings/create', { serviceId: 'srv_100000101', customerId: clinicCustomer, start: slot.start })).status).toBe(404);
  });

  it('cancels future bookings; cancelled → 409, completed / no-show / started → 422', async () => {
    const token = (await connect(emu, { scope: 'bookings:read bookings:write calendars:read' })).access_token;
    const all = (await json(api(emu, token, '/api/v1/bookings', { limit: 100 }))).data as Array<Record<string, string>>;
    const now = await emulatorNow(emu);
    const target = all.find((b) => b.status === 'confirmed' && Date.parse(b.start) > now) as Record<string, string>;
    const res = await api(emu, token, `/api/v1/bookings/${target.id}/cancel`, { reason: 'Changed plans' });
    expect(res.status).toBe(200);
    const cancelled = (await res.json()).data;
    expect(cancelled).toMatchObject({ id: target.id, status: 'cancelled', cancellationReason: 'Changed plans' });
    expect(Math.abs(Date.parse(cancelled.cancelledAt) - now)).toBeLessThan(5_000);
    expect(cancelled.updatedAt).toBe(cancelled.cancelledAt);
    const again = await api(emu, token, `/api/v1/bookings/${target.id}/cancel`, undefined, 'POST');
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('ALREADY_CANCELLED');
    for (const status of ['completed', 'no_show']) {
      const b = all.find((x) => x.status === status) as Record<string, string>;
      const r = await api(emu, token, `/api/v1/bookings/${b.id}/cancel`, {});
      expect(r.status).toBe(422);
      expect((await r.json()).error.code).toBe('BOOKING_NOT_CANCELLABLE');
    }
    // A pending booking can be cancelled without a body; reason is then null.
    const pending = all.find((b) => b.status === 'pending' && Date.parse(b.start) > now) as Record<string, string>;
    const noBody = await fetch(`${emu.baseUrl}/api/v1/bookings/${pending.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await noBody.json()).data).toMatchObject({ status: 'cancelled', cancellationReason: null });
    // A booking that has started can no longer be cancelled.
    const next = all.find((b) => b.status === 'confirmed' && Date.parse(b.start) > now && b.id !== target.id) as Record<string, string>;
    await advance(emu, Math.ceil((Date.parse(next.start) - now) / 1000) + 60);
    const started = await api(emu, KEYS[SALON], `/api/v1/bookings/${next.id}/cancel`, {});
    expect(started.status).toBe(422);
    expect((await salon('/api/v1/bookings/bkg_999999999/cancel', {})).status).toBe(404);
    expect((await salon(`/api/v1/bookings/${next.id}/cancel`, { reason: 7 })).status).toBe(400);
  });
});

describe('yAppointment availability (§3.5)', () => {
  it('returns free future slots on a 15-minute grid inside business hours', async () => {
    const now = await emulatorNow(emu);
    const from = new Date(now - 86_400_000).toISOString();
    const to = new Date(now + 7 * 86_400_000).toISOString();
    const res = await json(salon('/api/v1/slots', { serviceId: 'srv_100000102', from, to }));
    expect(res.status).toBe(true);
    expect(res.data.length).toBeGreaterThan(50);
    const bookings = (await json(salon('/api/v1/bookings', { filter: { status: ['confirmed', 'pending'] }, limit: 100 }))).data;
    for (const s of res.data) {
      expect(Object.keys(s)).toEqual(['start', 'end', 'employeeId', 'available']);
      expect(s.available).toBe(true);
      expect(Date.parse(s.start)).toBeGreaterThan(now);
      expect(Date.parse(s.start) % (15 * 60_000)).toBe(0);
      expect(Date.parse(s.end) - Date.parse(s.start)).toBe(45 * 60_000);
      expect(insideSalonHours(s.start, s.end), s.start).toBe(true);
      expect(['emp_100000201', 'emp_100000203']).toContain(s.employeeId);
      const clash = bookings.some(
        (b: { employeeId: string; start: string; end: string }) => b.employeeId === s.employeeId && b.start < s.end && s.start < b.end,
      );
      expect(clash).toBe(false);
    }
    const onlyTheo = await json(salon('/api/v1/slots', { serviceId: 'srv_100000102', from, to, employeeId: 'emp_100000203' }));
    expect(onlyTheo.data.every((s: { employeeId: string }) => s.employeeId === 'emp_100000203')).toBe(true);
    expect(onlyTheo.data.length).toBeLessThan(res.data.length);
  });

  it('validates the range (31 days max) and the ids', async () => {
    const from = '2030-01-01T00:00:00Z';
    expect((await salon('/api/v1/slots', { serviceId: 'srv_100000101', from, to: '2030-02-01T00:00:00Z' })).status).toBe(200);
    const long = await salon('/api/v1/slots', { serviceId: 'srv_100000101', from, to: '2030-02-01T00:00:01Z' });
    expect(long.status).toBe(400);
    expect((await long.json()).error.code).toBe('VALIDATION_ERROR');
    expect((await salon('/api/v1/slots', { serviceId: 'srv_100000101', from, to: from })).status).toBe(400);
    expect((await salon('/api/v1/slots', { serviceId: 'srv_100000101', from })).status).toBe(400);
    expect((await salon('/api/v1/slots', { serviceId: 'srv_999999999', from, to: '2030-01-02T00:00:00Z' })).status).toBe(404);
    const clinicService = (await json(api(emu, KEYS[CLINIC], '/api/v1/services', {}))).data[0].id;
    expect((await salon('/api/v1/slots', { serviceId: clinicService, from, to: '2030-01-02T00:00:00Z' })).status).toBe(404);
    // The clinic is closed at weekends (2030-01-05 is a Saturday).
    const weekend = await json(api(emu, KEYS[CLINIC], '/api/v1/slots', { serviceId: clinicService, from: '2030-01-05T00:00:00Z', to: '2030-01-07T00:00:00Z' }));
    expect(weekend.data).toEqual([]);
  });
});

describe('yAppointment rate limits (§5)', () => {
  it('limits anonymous calls to 60 per minute per IP with headers and Retry-After', async () => {
    const limited = await startYApp();
    try {
      let last: Response | null = null;
      for (let i = 0; i < 60; i++) {
        last = await fetch(`${limited.baseUrl}/api/v1/me`);
        expect(last.status).toBe(401);
      }
      expect(last?.headers.get('x-ratelimit-limit')).toBe('60');
      expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
      const reset = Number(last?.headers.get('x-ratelimit-reset'));
      const now = await emulatorNow(limited);
      expect(reset).toBeGreaterThan(now / 1000);
      expect(reset).toBeLessThanOrEqual(Math.ceil(now / 1000) + 60);
      const blocked = await fetch(`${limited.baseUrl}/api/v1/me`);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect((await blocked.json()).error.code).toBe('RATE_LIMITED');
      // A valid credential has its own window.
      const ok = await api(limited, KEYS[SALON], '/api/v1/me');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(ok.headers.get('x-ratelimit-remaining')).toBe('999');
      // OAuth endpoints are not limited.
      expect((await fetch(`${limited.baseUrl}/oauth/revoke`, { method: 'POST' })).status).toBe(400);
      await advance(limited, 60);
      expect((await fetch(`${limited.baseUrl}/api/v1/me`)).status).toBe(401);
      const stats = await (await fetch(`${limited.baseUrl}/__sandbox/stats`)).json();
      expect(stats.rateLimited).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('limits each credential to 1000 requests per sliding minute', async () => {
    const limited = await startYApp();
    try {
      const t = await connect(limited);
      for (let i = 0; i < 999; i++) await api(limited, t.access_token, '/api/v1/me');
      await advance(limited, 30);
      const last = await api(limited, t.access_token, '/api/v1/me');
      expect(last.status).toBe(200);
      expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
      const blocked = await api(limited, t.access_token, '/api/v1/me');
      expect(blocked.status).toBe(429);
      // The 999 early requests leave the window 60 s after they were made: at most 30 s from now.
      const retry = Number(blocked.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(30);
      // The API key of the same company is a different credential with its own budget.
      expect((await api(limited, KEYS[SALON], '/api/v1/me')).status).toBe(200);
      await advance(limited, retry);
      expect((await api(limited, t.access_token, '/api/v1/me')).status).toBe(200);
      await advance(limited, 60);
      const again = await api(limited, t.access_token, '/api/v1/me');
      expect(again.status).toBe(200);
      expect(again.headers.get('x-ratelimit-remaining')).toBe('999');
      // Reset clears the windows.
      await control(limited, 'reset');
      const t2 = await connect(limited);
      expect((await api(limited, t2.access_token, '/api/v1/me')).headers.get('x-ratelimit-remaining')).toBe('999');
    } finally {
      await limited.close();
    }
  });

  it('is off with rateLimits: false', async () => {
    const free = await startYApp({ rateLimits: false });
    try {
      for (let i = 0; i < 70; i++) expect((await fetch(`${free.baseUrl}/api/v1/me`)).status).toBe(401);
      const res = await api(free, KEYS[SALON], '/api/v1/me');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      // Injected 429s still work.
      await control(free, 'faults', { match: '/api/v1/me', status: 429, retryAfterSeconds: 7, count: 1 });
      const injected = await api(free, KEYS[SALON], '/api/v1/me');
      expect(injected.status).toBe(429);
      expect(injected.headers.get('retry-after')).toBe('7');
      expect((await injected.json()).error.code).toBe('RATE_LIMITED');
    } finally {
      await free.close();
    }
  });
});
