import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { api, CLINIC, type Emu, GYM, KEYS, SALON, startYApp } from './yappointment-helpers.js';

const ANCHOR = '2026-03-02';
const ANCHOR_MS = Date.parse(`${ANCHOR}T00:00:00Z`);
const DAY = 86_400_000;

/** Business hours the emulator documents in its seed (minutes after local midnight; Sunday first). */
const HOURS: Record<string, { zone: string; week: Array<[number, number] | null> }> = {
  [SALON]: { zone: 'America/New_York', week: [null, [540, 1080], [540, 1080], [540, 1080], [540, 1080], [540, 1080], [600, 960]] },
  [CLINIC]: { zone: 'Europe/London', week: [null, [480, 1020], [480, 1020], [480, 1020], [480, 1020], [480, 1020], null] },
  [GYM]: {
    zone: 'Australia/Sydney',
    week: [
      [420, 1020],
      [360, 1260],
      [360, 1260],
      [360, 1260],
      [360, 1260],
      [360, 1260],
      [420, 1020],
    ],
  },
};
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localMinutes(iso: string, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(
    new Date(iso),
  );
  const get = (t: string) => parts.find((p) => p.type === t)?.value as string;
  return { weekday: WEEKDAYS.indexOf(get('weekday')), minutes: (Number(get('hour')) % 24) * 60 + Number(get('minute')) };
}

async function dump(emu: Emu) {
  const out: Record<string, Record<string, unknown[]>> = {};
  for (const [company, key] of Object.entries(KEYS)) {
    const list = async (path: string) => (await (await api(emu, key, path, { limit: 100 })).json()).data as unknown[];
    out[company] = {
      services: await list('/api/v1/services'),
      employees: await list('/api/v1/employees'),
      customers: await list('/api/v1/customers'),
      bookings: await list('/api/v1/bookings'),
    };
  }
  return out;
}

let a: Emu;
let b: Emu;
let other: Emu;
beforeAll(async () => {
  [a, b, other] = await Promise.all([startYApp({ anchorDate: ANCHOR }), startYApp({ anchorDate: ANCHOR }), startYApp({ anchorDate: '2026-03-09' })]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close(), other.close()]);
});

describe('yAppointment seed determinism', () => {
  it('gives byte-identical listings for the same anchor and different ones for another anchor', async () => {
    const first = JSON.stringify(await dump(a));
    expect(JSON.stringify(await dump(b))).toBe(first);
    const moved = await dump(other);
    expect(JSON.stringify(moved[SALON].bookings)).not.toBe(JSON.stringify(JSON.parse(first)[SALON].bookings));
  });
});

describe('yAppointment seed minimums (README §6)', () => {
  it('meets every minimum per company', async () => {
    const data = await dump(a);
    const zones = new Set<string>();
    let nonAscii = 0;
    for (const [company, key] of Object.entries(KEYS)) {
      expect(company).toMatch(/^[0-9a-f]{24}$/);
      const me = (await (await api(a, key, '/api/v1/me')).json()).data;
      zones.add(me.timezone);
      expect(me.timezone).toBe(HOURS[company].zone);
      const { services, employees, customers, bookings } = data[company] as {
        services: Array<Record<string, unknown>>;
        employees: Array<Record<string, unknown>>;
        customers: Array<Record<string, string>>;
        bookings: Array<Record<string, string>>;
      };
      expect(services.filter((s) => s.active).length).toBeGreaterThanOrEqual(3);
      expect(services.some((s) => s.requiresApproval)).toBe(true);
      for (const s of services) expect(s.id).toMatch(/^srv_\d{9}$/);
      expect(employees).toHaveLength(3);
      for (const e of employees) expect(e.id).toMatch(/^emp_\d{9}$/);
      expect(customers.length).toBeGreaterThanOrEqual(10);
      for (const c of customers) expect(c.id).toMatch(/^cust_\d{9}$/);
      expect(new Set(customers.map((c) => c.email)).size).toBe(customers.length);
      nonAscii += customers.filter((c) => /[^ -~]/.test(c.name)).length;

      expect(bookings.length).toBeGreaterThanOrEqual(company === SALON ? 40 : 12);
      const counts: Record<string, number> = {};
      for (const bk of bookings) counts[bk.status] = (counts[bk.status] ?? 0) + 1;
      for (const status of ['confirmed', 'pending', 'cancelled', 'completed', 'no_show'])
        expect(counts[status], `${company} ${status}`).toBeGreaterThanOrEqual(2);
      expect(Object.keys(counts).sort()).toEqual(['cancelled', 'completed', 'confirmed', 'no_show', 'pending']);

      const starts = bookings.map((bk) => Date.parse(bk.start));
      expect(starts.filter((s) => s < ANCHOR_MS).length).toBeGreaterThanOrEqual(bookings.length / 3);
      expect(starts.filter((s) => s > ANCHOR_MS).length).toBeGreaterThanOrEqual(bookings.length / 3);
      for (const s of starts) {
        expect(s).toBeGreaterThanOrEqual(ANCHOR_MS - 30 * DAY);
        expect(s).toBeLessThanOrEqual(ANCHOR_MS + 30 * DAY);
      }
      const serviceIds = new Set(services.map((s) => s.id));
      const customerIds = new Set(customers.map((c) => c.id));
      const employeeIds = new Set(employees.map((e) => e.id));
      for (const bk of bookings) {
        expect(bk.id).toMatch(/^bkg_\d{9}$/);
        expect(serviceIds.has(bk.serviceId) && customerIds.has(bk.customerId) && employeeIds.has(bk.employeeId)).toBe(true);
        // Inside business hours of the company's own zone.
        const start = localMinutes(bk.start, HOURS[company].zone);
        const end = localMinutes(bk.end, HOURS[company].zone);
        const hours = HOURS[company].week[start.weekday];
        expect(hours, `${bk.id} on a closed day`).not.toBeNull();
        expect(start.minutes).toBeGreaterThanOrEqual((hours as [number, number])[0]);
        expect(end.minutes).toBeLessThanOrEqual((hours as [number, number])[1]);
        expect(start.minutes % 15).toBe(0);
        // Past bookings are settled; pending ones belong to approval services.
        if (Date.parse(bk.start) < ANCHOR_MS) expect(['completed', 'no_show', 'cancelled']).toContain(bk.status);
        if (bk.status === 'pending') expect(services.find((s) => s.id === bk.serviceId)?.requiresApproval).toBe(true);
        if (bk.status === 'cancelled') expect(bk.cancelledAt).not.toBeNull();
        else expect(bk.cancelledAt).toBeNull();
      }
      // No employee is double-booked.
      const live = bookings.filter((bk) => bk.status !== 'cancelled');
      for (const x of live) {
        for (const y of live) {
          if (x.id !== y.id && x.employeeId === y.employeeId) expect(x.start < y.end && y.start < x.end, `${x.id} overlaps ${y.id}`).toBe(false);
        }
      }
    }
    expect(zones.size).toBe(3);
    expect(nonAscii).toBeGreaterThanOrEqual(3);
  });
});

describe('yAppointment wiring', () => {
  it('is started by the public startEmulator with the same seed', async () => {
    const pub = await startEmulator('yappointment', { anchorDate: ANCHOR });
    try {
      expect(pub.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(JSON.stringify(await dump(pub))).toBe(JSON.stringify(await dump(a)));
    } finally {
      await pub.close();
    }
  });
});
