import { anchorMs, SEED_PEOPLE, SeedRandom, seedEmail, zonedToUtc } from '../framework/seed.js';
import { employeeFree } from './availability.js';
import {
  type Booking,
  type BookingStatus,
  type Company,
  type Customer,
  type Employee,
  formatId,
  type PlatformData,
  type Service,
  type WeekHours,
} from './state.js';

/** Fixed demo credentials of the contract (§1). */
export const CLIENT_ID = 'ya_26374ba38e00bc0a';
export const CLIENT_SECRET = 'qTZAKkoX1PKWnuul6TBbm75S2bo6mKubwINAQyQP';
export const APP_NAME = 'Bookgraph';

/** The seven known scopes (§2.4), in contract order. */
export const SCOPES = ['bookings:read', 'bookings:write', 'services:read', 'calendars:read', 'customers:read', 'customers:write', 'companies:read'] as const;

/** Secret API keys of the sandbox companies (§1): one company each, every scope. */
export const API_KEYS: Readonly<Record<string, string>> = {
  '3f61a8f9577777ef06019705': 'yapp_sk_test_IBMhR8q6WZTX86R2PaKpKNcI',
  '84afe9ea76600735cc231bc1': 'yapp_sk_test_DseTIhILBLyRwaF9TUDXrreo',
  '2d48ecde4d6a58c28cd54079': 'yapp_sk_test_47kpwWWbgRSH8CBxbhqpMP2F',
};

const h = (hh: number, mm = 0) => hh * 60 + mm;
const WEEKDAYS = (open: readonly [number, number], sat: readonly [number, number] | null, sun: readonly [number, number] | null): WeekHours => [
  sun,
  open,
  open,
  open,
  open,
  open,
  sat,
];

interface ServiceSpec {
  name: string;
  description: string;
  duration: number;
  price: number;
  requiresApproval?: boolean;
  active?: boolean;
}

interface CompanySpec {
  company: Omit<Company, 'createdAt'> & { createdAt: string };
  services: ServiceSpec[];
  employees: Array<{ name: string; email: string }>;
  /** Which service indexes each employee performs. */
  skills: number[][];
  phonePrefix: string;
  bookings: number;
}

/** The three sandbox companies (§1), their catalogue and staff. */
const COMPANIES: CompanySpec[] = [
  {
    company: {
      id: '3f61a8f9577777ef06019705',
      name: 'Test Salon',
      email: 'hello@testsalon.example',
      phone: '+12125550100',
      address: '123 Main St, New York, NY 10001',
      timezone: 'America/New_York',
      currency: 'USD',
      createdAt: '2024-01-15T10:30:00Z',
      hours: WEEKDAYS([h(9), h(18)], [h(10), h(16)], null),
    },
    services: [
      { name: 'Hair Consultation', description: 'Style advice and trim', duration: 60, price: 45 },
      { name: 'Cut & Style', description: 'Wash, cut and blow-dry', duration: 45, price: 65 },
      { name: 'Balayage Colour', description: 'Hand-painted highlights; a stylist confirms first', duration: 90, price: 180, requiresApproval: true },
      { name: 'Beard Trim', description: 'Shape and hot towel', duration: 30, price: 25 },
      { name: 'Keratin Treatment', description: 'Smoothing treatment (paused)', duration: 120, price: 250, active: false },
    ],
    employees: [
      { name: 'Maria López', email: 'maria@testsalon.example' },
      { name: 'Jasmine Park', email: 'jasmine@testsalon.example' },
      { name: 'Théo Martin', email: 'theo@testsalon.example' },
    ],
    skills: [
      [0, 1, 3, 4],
      [0, 2, 4],
      [1, 2, 3],
    ],
    phonePrefix: '+1212555',
    bookings: 44,
  },
  {
    company: {
      id: '84afe9ea76600735cc231bc1',
      name: 'Test Clinic',
      email: 'reception@testclinic.example',
      phone: '+442079460100',
      address: '10 Harley Street, London W1G 9PF',
      timezone: 'Europe/London',
      currency: 'GBP',
      createdAt: '2024-02-20T09:00:00Z',
      hours: WEEKDAYS([h(8), h(17)], null, null),
    },
    services: [
      { name: 'Physiotherapy Assessment', description: 'Initial assessment and treatment plan', duration: 60, price: 85 },
      { name: 'Physiotherapy Follow-up', description: 'Treatment session', duration: 30, price: 55 },
      { name: 'Acupuncture', description: 'Needs a clinician’s approval', duration: 45, price: 70, requiresApproval: true },
      { name: 'Sports Massage', description: 'Deep tissue massage', duration: 45, price: 60 },
      { name: 'Nutrition Review', description: 'Diet review (paused)', duration: 30, price: 40, active: false },
    ],
    employees: [
      { name: 'Siobhán Kelly', email: 'siobhan@testclinic.example' },
      { name: 'Aarav Mehta', email: 'aarav@testclinic.example' },
      { name: 'Eleanor Hughes', email: 'eleanor@testclinic.example' },
    ],
    skills: [
      [0, 1, 3, 4],
      [0, 2, 4],
      [1, 2, 3],
    ],
    phonePrefix: '+4479460',
    bookings: 14,
  },
  {
    company: {
      id: '2d48ecde4d6a58c28cd54079',
      name: 'Test Gym',
      email: 'team@testgym.example',
      phone: '+61298765100',
      address: '1 George St, Sydney NSW 2000',
      timezone: 'Australia/Sydney',
      currency: 'AUD',
      createdAt: '2024-03-05T22:00:00Z',
      hours: WEEKDAYS([h(6), h(21)], [h(7), h(17)], [h(7), h(17)]),
    },
    services: [
      { name: 'Personal Training', description: 'One-to-one session', duration: 60, price: 95 },
      { name: 'Fitness Assessment', description: 'Body composition and goals', duration: 30, price: 50 },
      { name: 'Reformer Pilates', description: 'Small group; instructor approval needed', duration: 60, price: 45, requiresApproval: true },
      { name: 'Boxing Fundamentals', description: 'Technique and pads', duration: 45, price: 40 },
      { name: 'Swim Coaching', description: 'Pool closed for works', duration: 45, price: 60, active: false },
    ],
    employees: [
      { name: "Liam O'Connor", email: 'liam@testgym.example' },
      { name: 'Mia Nguyễn', email: 'mia@testgym.example' },
      { name: 'Jack Thompson', email: 'jack@testgym.example' },
    ],
    skills: [
      [0, 1, 3, 4],
      [0, 2, 4],
      [1, 2, 3],
    ],
    phonePrefix: '+6129876',
    bookings: 14,
  },
];

/** Sandbox companies as `/__sandbox/credentials` lists them. */
export const COMPANY_SUMMARIES = COMPANIES.map((c) => ({ id: c.company.id, name: c.company.name, timezone: c.company.timezone }));

const DAY = 86_400_000;
const PAST_STATUSES: BookingStatus[] = ['completed', 'no_show', 'completed', 'cancelled', 'completed', 'no_show', 'cancelled'];
const FUTURE_STATUSES: BookingStatus[] = ['confirmed', 'pending', 'confirmed', 'cancelled', 'confirmed', 'pending', 'cancelled'];
const NOTES = ['', '', 'First visit', '', 'Prefers the window seat', '', 'Allergic to latex', '', 'Café au lait, no sugar'];
const REASONS = ['Customer request', 'Schedule conflict', 'Feeling unwell'];

/**
 * Builds the deterministic seed (README §6) around `anchorDate` (`YYYY-MM-DD`): three companies,
 * five services (four active, one needing approval), three employees, twelve customers each, and
 * 44/14/14 bookings split evenly between anchor − 29 … − 2 days and anchor + 1 … + 28 days, every
 * status at least twice per company, all inside business hours.
 */
export function buildSeed(anchorDate: string): PlatformData {
  const anchor = anchorMs(anchorDate);
  const data: PlatformData = {
    companies: [],
    services: [],
    employees: [],
    customers: [],
    bookings: [],
    nextId: { srv: 100_000_101, emp: 100_000_201, cust: 100_001_001, bkg: 200_000_001 },
  };
  COMPANIES.forEach((spec, companyIndex) => {
    const rng = new SeedRandom(`yappointment:${anchorDate}:${spec.company.id}`);
    const company: Company = { ...spec.company, createdAt: Date.parse(spec.company.createdAt) };
    data.companies.push(company);

    const services: Service[] = spec.services.map((s, i) => {
      const createdAt = company.createdAt + (i + 1) * 3 * DAY;
      return {
        id: formatId('srv', data.nextId.srv++),
        companyId: company.id,
        name: s.name,
        description: s.description,
        duration: s.duration,
        price: s.price,
        active: s.active ?? true,
        requiresApproval: s.requiresApproval ?? false,
        employeeIds: [],
        createdAt,
        updatedAt: createdAt + 40 * DAY,
      };
    });
    const employees: Employee[] = spec.employees.map((e, i) => ({
      id: formatId('emp', data.nextId.emp++),
      companyId: company.id,
      name: e.name,
      email: e.email,
      serviceIds: spec.skills[i].map((si) => services[si].id),
      active: true,
    }));
    for (const s of services) s.employeeIds = employees.filter((e) => e.serviceIds.includes(s.id)).map((e) => e.id);
    data.services.push(...services);
    data.employees.push(...employees);

    const customers: Customer[] = [];
    for (let i = 0; i < 12; i++) {
      const person = SEED_PEOPLE[(i + companyIndex * 4) % SEED_PEOPLE.length];
      const createdAt = Math.floor((anchor - rng.int(60, 400) * DAY - rng.int(0, 600) * 60_000) / 60_000) * 60_000;
      customers.push({
        id: formatId('cust', data.nextId.cust++),
        companyId: company.id,
        firstName: person.first,
        lastName: person.last,
        email: seedEmail(person.first, person.last),
        phone: `${spec.phonePrefix}${String(1000 + i * 37).padStart(4, '0')}`,
        timezone: company.timezone,
        createdAt,
        updatedAt: createdAt + rng.int(0, 30) * DAY,
      });
    }
    data.customers.push(...customers);
    data.bookings.push(...seedBookings(rng, data, company, services, customers, spec.bookings, anchor));
  });
  return data;
}

function seedBookings(
  rng: SeedRandom,
  data: PlatformData,
  company: Company,
  services: Service[],
  customers: Customer[],
  count: number,
  anchor: number,
): Booking[] {
  const openDays = (from: number, to: number) => {
    const days: Date[] = [];
    for (let d = from; d <= to; d++) {
      const day = new Date(anchor + d * DAY);
      if (company.hours[day.getUTCDay()]) days.push(day);
    }
    return days;
  };
  const past = openDays(-29, -2);
  const future = openDays(1, 28);
  const nPast = Math.ceil(count / 2);
  const plan: Array<{ day: Date; status: BookingStatus }> = [];
  for (let i = 0; i < nPast; i++) plan.push({ day: past[Math.floor((i * past.length) / nPast)], status: PAST_STATUSES[i % PAST_STATUSES.length] });
  const nFuture = count - nPast;
  for (let i = 0; i < nFuture; i++) {
    plan.push({ day: future[Math.floor((i * future.length) / nFuture)], status: FUTURE_STATUSES[i % FUTURE_STATUSES.length] });
  }

  const active = services.filter((s) => s.active);
  const approval = active.filter((s) => s.requiresApproval);
  const plain = active.filter((s) => !s.requiresApproval);
  const out: Booking[] = [];
  for (const { day, status } of plan) {
    const service = status === 'pending' ? rng.pick(approval) : rng.pick(plain);
    const hours = company.hours[day.getUTCDay()] as readonly [number, number];
    const gridSlots = Math.floor((hours[1] - service.duration - hours[0]) / 15) + 1;
    let placed: { start: number; employeeId: string } | null = null;
    for (let attempt = 0; attempt < 60 && !placed; attempt++) {
      const minute = hours[0] + rng.int(0, gridSlots - 1) * 15;
      const employeeId = rng.pick(service.employeeIds);
      const start = zonedToUtc(company.timezone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(minute / 60), minute % 60);
      if (employeeFree(out, employeeId, start, start + service.duration * 60_000)) placed = { start, employeeId };
    }
    if (!placed) continue;
    const end = placed.start + service.duration * 60_000;
    const createdAt = Math.min(placed.start, anchor) - rng.int(1, 14) * DAY - rng.int(0, 480) * 60_000;
    let updatedAt = createdAt;
    let cancelledAt: number | null = null;
    let cancellationReason: string | null = null;
    if (status === 'cancelled') {
      cancelledAt = Math.floor((createdAt + (Math.min(placed.start, anchor) - createdAt) / 2) / 60_000) * 60_000;
      cancellationReason = rng.pick(REASONS);
      updatedAt = cancelledAt;
    } else if (status === 'completed' || status === 'no_show') {
      updatedAt = Math.min(end + 15 * 60_000, anchor);
    }
    out.push({
      id: formatId('bkg', data.nextId.bkg++),
      companyId: company.id,
      customerId: rng.pick(customers).id,
      serviceId: service.id,
      employeeId: placed.employeeId,
      start: placed.start,
      end,
      status,
      price: service.price,
      notes: rng.pick(NOTES),
      cancelledAt,
      cancellationReason,
      createdAt,
      updatedAt,
    });
  }
  return out;
}
