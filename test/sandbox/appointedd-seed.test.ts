import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPages, type Doc, type Emu, GLASGOW, getToken, startAppointedd, TORONTO } from './appointedd-helpers.js';

const ANCHOR = '2026-03-02';
const ANCHOR_MS = Date.parse(`${ANCHOR}T00:00:00.000Z`);
const DAY = 86_400_000;

let a: Emu;
let b: Emu;
let other: Emu;
beforeAll(async () => {
  [a, b, other] = await Promise.all([
    startAppointedd({ anchorDate: ANCHOR }),
    startAppointedd({ anchorDate: ANCHOR }),
    startAppointedd({ anchorDate: '2026-04-15' }),
  ]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close(), other.close()]);
});

/** Every listing of an emulator as text, with its origin replaced so two ports compare equal. */
async function listings(emu: Emu): Promise<string> {
  const token = await getToken(emu.base);
  const out: string[] = [];
  for (const path of ['/v2/accounts', '/v2/services', '/v2/resources', '/v2/customers?page[limit]=100', '/v2/bookings?page[limit]=100']) {
    const res = await fetch(`${emu.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    out.push((await res.text()).split(emu.base).join('ORIGIN'));
  }
  return out.join('\n');
}

function localMinutes(zone: string, ms: number): { weekday: string; minute: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

describe('appointedd seed', () => {
  it('is byte-identical for the same anchor and differs for another', async () => {
    const [x, y, z] = await Promise.all([listings(a), listings(b), listings(other)]);
    expect(x).toBe(y);
    expect(x.length).toBeGreaterThan(10_000);
    expect(z).not.toBe(x);
  });

  it('meets the per-account minimums around the anchor', async () => {
    const token = await getToken(a.base);
    const services = await allPages(a.base, token, '/v2/services');
    const resources = await allPages(a.base, token, '/v2/resources');
    const customers = await allPages(a.base, token, '/v2/customers?page[limit]=100');
    const bookings = await allPages(a.base, token, '/v2/bookings?page[limit]=100');
    const of = (items: Doc[], account: string) => items.filter((i) => i.relationships.account.data.id === account);
    for (const [account, minBookings] of [
      [GLASGOW, 40],
      [TORONTO, 12],
    ] as const) {
      expect(of(services, account).length).toBeGreaterThanOrEqual(3);
      expect(of(resources, account).length).toBeGreaterThanOrEqual(2);
      expect(of(resources, account).length).toBeLessThanOrEqual(3);
      expect(of(customers, account).length).toBeGreaterThanOrEqual(10);
      const own = of(bookings, account);
      expect(own.length).toBeGreaterThanOrEqual(minBookings);
      const starts = own.map((x) => Date.parse(x.attributes.start));
      expect(starts.every((s) => s >= ANCHOR_MS - 30 * DAY && s <= ANCHOR_MS + 30 * DAY)).toBe(true);
      expect(starts.filter((s) => s < ANCHOR_MS).length).toBeGreaterThanOrEqual(own.length / 3);
      expect(starts.filter((s) => s >= ANCHOR_MS).length).toBeGreaterThanOrEqual(own.length / 3);
      const customerIds = new Set(of(customers, account).map((c) => c.id));
      const serviceIds = new Set(of(services, account).map((s) => s.id));
      for (const booking of own) {
        expect(serviceIds.has(booking.relationships.service.data.id)).toBe(true);
        for (const c of booking.attributes.customers) expect(customerIds.has(c.customer_id)).toBe(true);
        expect(Date.parse(booking.attributes.created)).toBeLessThanOrEqual(Math.min(Date.parse(booking.attributes.start), ANCHOR_MS));
      }
    }
  });

  it('keeps bookings inside business hours of the account time zone, without overlaps per resource', async () => {
    const token = await getToken(a.base);
    const bookings = await allPages(a.base, token, '/v2/bookings?page[limit]=100');
    const hours: Record<string, Record<string, [number, number]>> = {
      [GLASGOW]: { Mon: [540, 1080], Tue: [540, 1080], Wed: [540, 1080], Thu: [540, 1080], Fri: [540, 1080] },
      [TORONTO]: { Mon: [900, 1200], Tue: [900, 1200], Wed: [900, 1200], Thu: [900, 1200], Fri: [900, 1200], Sat: [600, 960] },
    };
    for (const x of bookings) {
      const account = x.relationships.account.data.id;
      const zone = account === GLASGOW ? 'Europe/London' : 'America/Toronto';
      expect(x.attributes.timezone).toBe(zone);
      const start = localMinutes(zone, Date.parse(x.attributes.start));
      const end = localMinutes(zone, Date.parse(x.attributes.end));
      const open = hours[account][start.weekday];
      expect(open, `${x.id} on ${start.weekday}`).toBeDefined();
      expect(start.minute).toBeGreaterThanOrEqual(open[0]);
      expect(end.minute).toBeLessThanOrEqual(open[1]);
      const clash = bookings.some(
        (y) =>
          y.id !== x.id &&
          y.relationships.resource.data.id === x.relationships.resource.data.id &&
          Date.parse(y.attributes.start) < Date.parse(x.attributes.end) &&
          Date.parse(x.attributes.start) < Date.parse(y.attributes.end),
      );
      expect(clash).toBe(false);
    }
  });

  it('covers every status, participant status, time zone and non-ASCII names', async () => {
    const token = await getToken(a.base);
    const bookings = await allPages(a.base, token, '/v2/bookings?page[limit]=100');
    const customers = await allPages(a.base, token, '/v2/customers?page[limit]=100');
    const count = (values: string[]) => {
      const m: Record<string, number> = {};
      for (const v of values) m[v] = (m[v] ?? 0) + 1;
      return m;
    };
    const statuses = count(bookings.map((x) => x.attributes.status));
    for (const s of ['confirmed', 'pending', 'cancelled']) expect(statuses[s]).toBeGreaterThanOrEqual(2);
    expect(Object.keys(statuses).sort()).toEqual(['cancelled', 'confirmed', 'pending']);
    const participants = bookings.flatMap((x) => x.attributes.customers);
    const pStatuses = count(participants.map((p: Doc) => p.status));
    for (const s of ['No Status', 'Attended', 'No Show']) expect(pStatuses[s]).toBeGreaterThanOrEqual(2);
    const zones = new Set(participants.map((p: Doc) => p.timezone));
    for (const z of ['Europe/London', 'America/Toronto', 'America/Detroit', 'Europe/Paris']) expect(zones.has(z)).toBe(true);
    const names = customers.map((c) => `${c.attributes.profile.firstname} ${c.attributes.profile.lastname}`);
    expect(names).toContain('Zoë Müller');
    expect(names).toContain('José Núñez');
    expect(bookings.some((x) => x.attributes.customers.length > 1)).toBe(true);
    const cancelled = bookings.filter((x) => x.attributes.status === 'cancelled');
    expect(cancelled.every((x) => x.attributes.cancelled_at !== null)).toBe(true);
    expect(bookings.filter((x) => x.attributes.status !== 'cancelled').every((x) => x.attributes.cancelled_at === null)).toBe(true);
  });
});
