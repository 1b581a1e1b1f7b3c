import { anchorMs, SEED_PEOPLE, SeedRandom, seedEmail, zonedToUtc } from '../framework/seed.js';
import type { Appointment, AppointmentStatus, Company, Customer, Location, OnSchedData, Resource, Service } from './model.js';
import { CATALOG, COMPANIES, EXAMPLE_RESOURCE_ID, EXAMPLE_SERVICE_ID, HARBOR_ID, LOCATIONS, MAPLE_ID, THAMES_ID } from './seed-catalog.js';

/**
 * Seed data of the OnSched emulator (contract §1, README §6). The catalogue (companies, locations,
 * services, resources) is fixed; customers and appointments are spread around the anchor date with
 * `SeedRandom('onsched:<anchor>')`, so one anchor always gives byte-identical data.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Per company: seed appointment count (before the live copies of rescheduled ones), people, phone prefix. */
const PEOPLE_PLAN: Record<string, { count: number; people: number[]; business: string; phone: string }> = {
  [HARBOR_ID]: { count: 44, people: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], business: 'Brightwater Logistics', phone: '646555' },
  [MAPLE_ID]: { count: 14, people: [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], business: 'Granville Outfitters', phone: '604555' },
  [THAMES_ID]: { count: 14, people: [7, 8, 9, 10, 11, 12, 13, 14, 0, 1, 2], business: 'Southwark Robotics Club', phone: '7700900' },
};

/** Status order: the head makes every status appear twice even in small companies, the fill repeats. */
type Plan = AppointmentStatus | 'BKc';
const PAST_HEAD: Plan[] = ['NS', 'CN', 'RE', 'BK', 'NS', 'CN', 'RE', 'BKc'];
const PAST_FILL: Plan[] = ['BK', 'BK', 'BKc', 'CN', 'BK', 'NS', 'BK', 'RE'];
const FUTURE_HEAD: Plan[] = ['RS', 'IN', 'BK', 'RS', 'IN', 'BKc', 'CN'];
const FUTURE_FILL: Plan[] = ['BK', 'RS', 'BKc', 'BK', 'CN', 'IN', 'BK', 'RE'];

function sequence(head: Plan[], fill: Plan[], n: number): Plan[] {
  const out: Plan[] = [];
  for (let i = 0; i < n; i++) out.push(i < head.length ? head[i] : fill[(i - head.length) % fill.length]);
  return out;
}

/** Builds the full seed for `anchorDate` (`YYYY-MM-DD`); every call returns fresh mutable records. */
export function buildSeed(anchorDate: string): OnSchedData {
  const catalogRng = new SeedRandom('onsched:catalog');
  const locations: Location[] = LOCATIONS.map((l) => ({ ...l, primaryCalendarId: catalogRng.uuid() }));
  const services: Service[] = [];
  const resources: Resource[] = [];
  for (const entry of CATALOG) {
    entry.services.forEach(([name, description, duration, bookingInterval, feeAmount, locationId], i) => {
      const id = entry.companyId === HARBOR_ID && i === 0 ? EXAMPLE_SERVICE_ID : catalogRng.uuid();
      services.push({
        id,
        companyId: entry.companyId,
        locationId,
        name,
        description,
        duration,
        bookingInterval,
        feeAmount,
        defaultService: i === 0,
        maxCapacity: 1,
        showOnline: true,
      });
    });
    entry.resources.forEach(([name, email, locationId], i) => {
      const id = entry.companyId === HARBOR_ID && i === 0 ? EXAMPLE_RESOURCE_ID : catalogRng.uuid();
      const tz = (locations.find((l) => l.id === locationId) as Location).timezoneIana;
      resources.push({ id, companyId: entry.companyId, locationId, name, email, timezoneIana: tz });
    });
  }

  const rng = new SeedRandom(`onsched:${anchorDate}`);
  const anchor = anchorMs(anchorDate);
  const data: OnSchedData = {
    companies: COMPANIES.map((c) => ({ ...c, address: { ...c.address } })),
    locations,
    services,
    resources,
    customers: [],
    appointments: [],
    nextConfirmation: new Map(),
  };
  for (const company of COMPANIES) {
    const customers = seedCustomers(company, locations, rng, anchor);
    data.customers.push(...customers);
    const counter = { next: 100_201 };
    data.appointments.push(...seedAppointments(company, data, customers, rng, anchor, anchorDate, counter));
    data.nextConfirmation.set(company.id, counter.next);
  }
  return data;
}

function seedCustomers(company: Company, locations: Location[], rng: SeedRandom, anchor: number): Customer[] {
  const plan = PEOPLE_PLAN[company.id];
  const own = locations.filter((l) => l.companyId === company.id);
  const domain = company.id === HARBOR_ID ? 'example.com' : company.id === MAPLE_ID ? 'example.ca' : 'example.co.uk';
  const out: Customer[] = [];
  const make = (i: number, type: 0 | 1, first: string | null, last: string | null, name: string, email: string): Customer => {
    const createdMs = anchor - rng.int(40, 400) * DAY_MS + rng.int(8, 18) * HOUR_MS;
    return {
      id: rng.uuid(),
      companyId: company.id,
      locationId: own[i % 3 === 2 && own.length > 1 ? 1 : 0].id,
      type,
      firstname: first,
      lastname: last,
      name,
      email,
      contact: {
        mobilePhone: type === 0 ? `${plan.phone}${String(rng.int(0, 9999)).padStart(4, '0')}` : null,
        homePhone: null,
        businessPhone: type === 1 ? `${plan.phone}${String(rng.int(0, 9999)).padStart(4, '0')}` : null,
      },
      notificationType: '1',
      createdMs,
      modifiedMs: createdMs + rng.int(0, 30) * DAY_MS,
    };
  };
  plan.people.forEach((p, i) => {
    const { first, last } = SEED_PEOPLE[p];
    out.push(make(i, 0, first, last, `${first} ${last}`, seedEmail(first, last, domain)));
  });
  const slug = plan.business.toLowerCase().replace(/[^a-z]+/g, '');
  out.push(make(plan.people.length, 1, null, null, plan.business, `bookings@${slug}.${domain}`));
  return out;
}

function seedAppointments(
  company: Company,
  data: OnSchedData,
  customers: Customer[],
  rng: SeedRandom,
  anchor: number,
  anchorDate: string,
  counter: { next: number },
): Appointment[] {
  const plan = PEOPLE_PLAN[company.id];
  const own = data.locations.filter((l) => l.companyId === company.id);
  const out: Appointment[] = [];
  const nPast = Math.floor(plan.count / 2);
  const nFuture = plan.count - nPast;
  const specs: Array<{ offset: number; plan: Plan }> = [
    ...sequence(PAST_HEAD, PAST_FILL, nPast).map((p, i) => ({ offset: -30 + Math.floor((i * 28) / nPast), plan: p })),
    ...sequence(FUTURE_HEAD, FUTURE_FILL, nFuture).map((p, i) => ({ offset: 1 + Math.floor((i * 28) / nFuture), plan: p })),
  ];
  const [ay, am, ad] = anchorDate.split('-').map(Number);

  /** A free start in business hours on day `offset` or the nearest open day with room. */
  const place = (location: Location, resourceId: string, duration: number, interval: number, offset: number) => {
    // Step over closed days towards the middle of each half, so dates stay within anchor ± 30 days.
    const step = offset < 0 ? (offset < -15 ? 1 : -1) : offset > 15 ? -1 : 1;
    for (let tries = 0, o = offset; tries < 10; tries++, o += step) {
      const day = new Date(Date.UTC(ay, am - 1, ad + o));
      const hours = location.hours[day.getUTCDay()];
      if (!hours) continue;
      const starts: number[] = [];
      for (let t = hours.open; t + duration <= hours.close; t += interval) starts.push(t);
      const first = rng.int(0, starts.length - 1);
      for (let k = 0; k < starts.length; k++) {
        const t = starts[(first + k) % starts.length];
        const startMs = zonedToUtc(location.timezoneIana, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(t / 60), t % 60);
        const endMs = startMs + duration * 60_000;
        const clash = out.some((a) => a.resourceId === resourceId && a.startMs < endMs && startMs < a.endMs);
        if (!clash) return { startMs, endMs };
      }
    }
    throw new Error('onsched seed: no free slot');
  };

  for (const spec of specs) {
    const location = own.length > 1 && rng.next() < 0.35 ? own[1] : own[0];
    const service = rng.pick(data.services.filter((s) => s.companyId === company.id && (s.locationId === null || s.locationId === location.id)));
    const resource = rng.pick(data.resources.filter((r) => r.locationId === location.id));
    const local = customers.filter((c) => c.locationId === location.id);
    const customer = rng.pick(local.length > 0 ? local : customers);
    const { startMs, endMs } = place(location, resource.id, service.duration, service.bookingInterval, spec.offset);
    const createdMs = Math.min(startMs, anchor) - rng.int(1, 14) * DAY_MS - rng.int(0, 8) * HOUR_MS;
    const online = rng.next() < 0.6;
    const base: Appointment = {
      id: rng.uuid(),
      companyId: company.id,
      locationId: location.id,
      serviceId: service.id,
      resourceId: resource.id,
      customerId: customer.id,
      status: 'BK',
      confirmed: false,
      startMs,
      endMs,
      name: customer.name,
      firstname: customer.firstname,
      lastname: customer.lastname,
      email: customer.email,
      phone: customer.contact.mobilePhone ?? customer.contact.businessPhone,
      notes: '',
      customerMessage: null,
      confirmationNumber: `${company.confirmationPrefix}-${counter.next++}`,
      bookedBy: online ? customer.email : company.email,
      onlineBooking: online,
      rescheduledId: null,
      createdMs,
      modifiedMs: createdMs,
      audit: [],
      reminderArmedMs: null,
      reminded: false,
    };
    const by = base.bookedBy as string;
    const audit = (a: Appointment, type: string, ms: number, before: AppointmentStatus | null, after: AppointmentStatus) => {
      a.audit.push({ id: rng.uuid(), modificationType: type, modifiedBy: by, modifiedMs: ms, statusBefore: before, statusAfter: after });
      a.modifiedMs = ms;
    };
    const changeMs = createdMs + rng.int(1, 20) * HOUR_MS;
    const p = spec.plan;
    if (p === 'IN') {
      Object.assign(base, { status: 'IN', customerId: null, name: null, firstname: null, lastname: null, email: null, phone: null });
      Object.assign(base, { bookedBy: null, onlineBooking: true });
      audit(base, 'Created', createdMs, null, 'IN');
    } else if (p === 'RS') {
      base.status = 'RS';
      audit(base, 'Created', createdMs, null, 'RS');
    } else {
      audit(base, 'Created', createdMs, null, 'BK');
      base.reminderArmedMs = createdMs;
      if (p === 'BKc') {
        base.confirmed = true;
        audit(base, 'Confirmed', changeMs, 'BK', 'BK');
      } else if (p === 'CN') {
        base.status = 'CN';
        base.reminderArmedMs = null;
        audit(base, 'Cancelled', Math.min(changeMs, startMs - HOUR_MS), 'BK', 'CN');
      } else if (p === 'NS') {
        base.status = 'NS';
        base.reminderArmedMs = null;
        audit(base, 'NoShow', endMs + HOUR_MS, 'BK', 'NS');
      }
    }
    if (p !== 'RE') {
      out.push(base);
      continue;
    }
    // A rescheduled appointment: the live one moved 2–5 days later; the RE copy keeps the old time.
    const moved = place(location, resource.id, service.duration, service.bookingInterval, Math.min(spec.offset + rng.int(2, 5), 27));
    const movedAtMs = Math.min(changeMs, startMs - HOUR_MS);
    const copy: Appointment = { ...base, id: rng.uuid(), status: 'RE', audit: [...base.audit], reminderArmedMs: null };
    copy.rescheduledId = base.id;
    audit(copy, 'Rescheduled', movedAtMs, 'BK', 'RE');
    Object.assign(base, { startMs: moved.startMs, endMs: moved.endMs, reminderArmedMs: movedAtMs });
    audit(base, 'Rescheduled', movedAtMs, 'BK', 'BK');
    out.push(copy, base);
  }
  return out;
}
