import { anchorMs, localParts, SEED_PEOPLE, SeedRandom, seedEmail, zonedToUtc } from '../framework/seed.js';
import type { Account, Booking, BookingStatus, Customer, Participant, ParticipantStatus, Resource, Service, WeeklyHours } from './model.js';

/**
 * Deterministic seed data (README §6, contract §1): the same anchor gives byte-identical records.
 * Two accounts with the contract's ids; per account 3–4 services (one group class), 2–3 resources,
 * 12 customers, and bookings spread over anchor − 30 … anchor + 29 days inside business hours.
 */
export interface Seed {
  accounts: Account[];
  services: Service[];
  resources: Resource[];
  customers: Customer[];
  bookings: Booking[];
  nextSeq: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

interface AccountPlan {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  hours: WeeklyHours;
  createdDaysBefore: number;
  bookings: number;
  categories: string[];
  services: Array<{ name: string; description: string; category: number; duration: number; price: number; max: number; resources: number[] }>;
  resources: Array<{ name: string; email: string; phone: string }>;
  people: number[];
  zones: string[];
  /** Customer numbers: prefix + a zero-padded index of `numberDigits` digits. */
  mobilePrefix: string;
  numberDigits: number;
}

const WEEKDAYS_9_TO_6: WeeklyHours = { 1: [540, 1080], 2: [540, 1080], 3: [540, 1080], 4: [540, 1080], 5: [540, 1080] };
const TUTORING_HOURS: WeeklyHours = { 1: [900, 1200], 2: [900, 1200], 3: [900, 1200], 4: [900, 1200], 5: [900, 1200], 6: [600, 960] };

const PLANS: AccountPlan[] = [
  {
    id: '83861be437a9798f2e10b49e',
    name: 'Glasgow Physio Clinic',
    timezone: 'Europe/London',
    currency: 'GBP',
    hours: WEEKDAYS_9_TO_6,
    createdDaysBefore: 640,
    bookings: 44,
    categories: ['Massage', 'Physiotherapy'],
    services: [
      { name: 'Sports Massage', description: '45-minute deep tissue', category: 0, duration: 45, price: 45, max: 1, resources: [0, 1] },
      { name: 'Physiotherapy Assessment', description: 'Initial 60-minute assessment', category: 1, duration: 60, price: 65, max: 1, resources: [0, 1, 2] },
      { name: 'Follow-up Physiotherapy', description: '30-minute follow-up session', category: 1, duration: 30, price: 40, max: 1, resources: [1, 2] },
      { name: 'Group Rehab Class', description: 'Small-group rehabilitation class', category: 1, duration: 60, price: 15, max: 6, resources: [2] },
    ],
    resources: [
      { name: 'Ada Lovelace', email: 'ada@glasgowphysio.example', phone: '+44 141 555 0100' },
      { name: 'Eilidh MacLeod', email: 'eilidh@glasgowphysio.example', phone: '+44 141 555 0101' },
      { name: 'Siobhán Ní Bhriain', email: 'siobhan@glasgowphysio.example', phone: '+44 141 555 0102' },
    ],
    people: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    zones: [
      'America/Detroit',
      'Europe/London',
      'Europe/Paris',
      'Europe/London',
      'Europe/London',
      'America/Toronto',
      'Europe/London',
      'Europe/Paris',
      'Europe/London',
      'Europe/London',
      'America/Detroit',
      'Europe/London',
    ],
    mobilePrefix: '+4477009001',
    numberDigits: 2,
  },
  {
    id: '20fad5e5f4c7b2f1c7b0f924',
    name: 'Toronto Tutoring Centre',
    timezone: 'America/Toronto',
    currency: 'CAD',
    hours: TUTORING_HOURS,
    createdDaysBefore: 500,
    bookings: 16,
    categories: ['Tutoring'],
    services: [
      { name: 'Math Tutoring', description: 'One-to-one maths session', category: 0, duration: 60, price: 60, max: 1, resources: [0, 1] },
      { name: 'Essay Coaching', description: 'Feedback on a draft essay', category: 0, duration: 45, price: 50, max: 1, resources: [1] },
      { name: 'SAT Prep Group', description: 'Group SAT preparation', category: 0, duration: 90, price: 35, max: 5, resources: [0] },
    ],
    resources: [
      { name: 'Geneviève Tremblay', email: 'genevieve@torontotutoring.example', phone: '+1 416 555 0140' },
      { name: 'Marcus Chen', email: 'marcus@torontotutoring.example', phone: '+1 416 555 0141' },
    ],
    people: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    zones: [
      'America/Toronto',
      'America/Toronto',
      'America/Detroit',
      'America/Toronto',
      'Europe/Paris',
      'America/Toronto',
      'America/Toronto',
      'America/Detroit',
      'Europe/London',
      'America/Toronto',
      'America/Toronto',
      'America/Toronto',
    ],
    mobilePrefix: '+1416555',
    numberDigits: 4,
  },
];

/** Participant outcomes of ended, confirmed seed bookings, in rotation. */
const OUTCOMES: ParticipantStatus[] = ['Attended', 'Attended', 'No Show', 'No Status'];

function objectId(rng: SeedRandom, ms: number): string {
  return `${Math.floor(ms / 1000)
    .toString(16)
    .padStart(8, '0')}${rng.hex(16)}`;
}

export function buildSeed(anchorDate: string): Seed {
  const anchor = anchorMs(anchorDate);
  const rng = new SeedRandom(`appointedd:${anchorDate}`);
  const out: Seed = { accounts: [], services: [], resources: [], customers: [], bookings: [], nextSeq: 0 };
  const seq = () => out.nextSeq++;

  for (const plan of PLANS) {
    const accountCreated = anchor - plan.createdDaysBefore * DAY_MS + 9 * HOUR_MS;
    out.accounts.push({
      id: plan.id,
      name: plan.name,
      timezone: plan.timezone,
      currency: plan.currency,
      locale: 'en',
      hours: plan.hours,
      created: accountCreated,
      updated: anchor - 50 * DAY_MS + 10 * HOUR_MS,
      seq: seq(),
    });
    const resources: Resource[] = plan.resources.map((r, i) => {
      const created = accountCreated + (i + 1) * DAY_MS;
      return { id: objectId(rng, created), accountId: plan.id, ...r, created, seq: seq() };
    });
    const categories = plan.categories.map(() => objectId(rng, accountCreated));
    const services: Service[] = plan.services.map((s, i) => {
      const created = accountCreated + (i + 2) * DAY_MS;
      return {
        id: objectId(rng, created),
        accountId: plan.id,
        name: s.name,
        description: s.description,
        categoryId: categories[s.category],
        durations: [s.duration],
        price: s.price,
        maxOccupancy: s.max,
        resourceIds: s.resources.map((r) => resources[r].id),
        created,
        seq: seq(),
      };
    });
    const customers: Customer[] = plan.people.map((p, i) => {
      const person = SEED_PEOPLE[p];
      const created = anchor - rng.int(60, 400) * DAY_MS - rng.int(0, 600) * MINUTE_MS - rng.int(0, 59_999);
      const number = `${plan.mobilePrefix}${String(10 + i).padStart(plan.numberDigits, '0')}`;
      const landlineOnly = i % 5 === 4;
      return {
        id: objectId(rng, created),
        accountId: plan.id,
        firstname: person.first,
        lastname: person.last,
        email: i === 11 ? null : seedEmail(person.first, person.last),
        mobile: landlineOnly ? null : number,
        phone: landlineOnly ? number : null,
        tags: i % 4 === 0 ? ['vip'] : [],
        marketingOptIn: i % 3 === 0,
        timezone: plan.zones[i],
        created,
        updated: created + rng.int(0, 30) * DAY_MS,
        seq: seq(),
      };
    });
    out.resources.push(...resources);
    out.services.push(...services);
    out.customers.push(...customers);
    out.bookings.push(...seedBookings(rng, anchor, plan, services, customers, seq));
  }
  return out;
}

function seedBookings(rng: SeedRandom, anchor: number, plan: AccountPlan, services: Service[], customers: Customer[], seq: () => number): Booking[] {
  const bookings: Booking[] = [];
  let outcome = 0;
  const anchorDay = new Date(anchor);
  for (let i = 0; i < plan.bookings; i++) {
    const service = services[i % services.length];
    const duration = service.durations[0];
    let dayOffset = -30 + Math.floor(((i + 0.5) * 60) / plan.bookings);
    let placed: { start: number; resourceId: string } | null = null;
    for (let attempt = 0; attempt < 40 && !placed; attempt++) {
      const date = new Date(Date.UTC(anchorDay.getUTCFullYear(), anchorDay.getUTCMonth(), anchorDay.getUTCDate() + dayOffset));
      const weekday = date.getUTCDay();
      const hours = plan.hours[weekday];
      if (!hours) {
        dayOffset += dayOffset < 25 ? 1 : -3;
        continue;
      }
      const slots = Math.floor((hours[1] - hours[0] - duration) / 30) + 1;
      const minute = hours[0] + 30 * rng.int(0, slots - 1);
      const start = zonedToUtc(plan.timezone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), Math.floor(minute / 60), minute % 60);
      const end = start + duration * MINUTE_MS;
      const resourceId = rng.pick(service.resourceIds);
      const clash = bookings.some((b) => b.resourceId === resourceId && b.start < end && start < b.end);
      if (!clash && localParts(plan.timezone, start).weekday === weekday) placed = { start, resourceId };
    }
    if (!placed) throw new Error(`appointedd seed: no room for booking ${i} of ${plan.name}`);
    const { start, resourceId } = placed;
    const end = start + duration * MINUTE_MS;
    const status: BookingStatus = i % 8 === 2 ? 'cancelled' : i % 8 === 5 ? 'pending' : 'confirmed';
    const before = Math.min(start, anchor);
    const created = before - rng.int(1, 20) * DAY_MS - rng.int(0, 600) * MINUTE_MS - rng.int(0, 59_999);
    const source = rng.pick(['appointment_screen', 'online_booking']);
    const ended = end <= anchor;
    let participantStatus: ParticipantStatus = 'No Status';
    if (status === 'confirmed' && ended) participantStatus = OUTCOMES[outcome++ % OUTCOMES.length];
    const size = service.maxOccupancy > 1 ? 2 + (i % 2) : 1;
    const participants: Participant[] = [];
    for (let k = 0; k < size; k++) {
      const customer = customers[(i + k * 5) % customers.length];
      participants.push({
        customerId: customer.id,
        customerBookingId: objectId(rng, created),
        spaces: 1,
        status: participantStatus,
        timezone: customer.timezone,
        bookingSource: source,
        paid: participantStatus === 'Attended',
        totalPrice: service.price,
        created: Math.floor(created / 1000) * 1000,
      });
    }
    let updated = created;
    let cancelledAt: number | null = null;
    if (status === 'cancelled') {
      cancelledAt = Math.min(created + rng.int(1, 48) * HOUR_MS, before - MINUTE_MS);
      cancelledAt = Math.max(cancelledAt, created + MINUTE_MS);
      updated = cancelledAt;
    } else if (participantStatus !== 'No Status') {
      updated = Math.max(created, Math.min(end + rng.int(1, 3) * HOUR_MS, anchor - MINUTE_MS));
    }
    bookings.push({
      id: objectId(rng, created),
      accountId: plan.id,
      serviceId: service.id,
      resourceId,
      start,
      end,
      status,
      timezone: plan.timezone,
      createdSource: source,
      lastModifiedSource: source,
      cancelledAt,
      participants,
      created,
      updated,
      seq: seq(),
    });
  }
  return bookings;
}
