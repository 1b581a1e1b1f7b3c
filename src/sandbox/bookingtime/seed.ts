import { anchorMs, localParts, SEED_PEOPLE, SeedRandom, seedEmail, zonedToUtc } from '../framework/seed.js';
import { type BookingResource, type BookingTemplate, type Customer, type DayHours, type Gender, type Organization, PREFIX, type SeedData } from './state.js';

/**
 * Deterministic seed data (README §6, contract §1): the three organizations with their fixed ids
 * (the third not permitted), per organization 2 employees, 3–4 booking templates, 12 customers and
 * 44 / 16 / 12 appointments spread over anchor ± 30 days inside business hours, about a fifth
 * cancelled and a few moved. The same anchor gives byte-identical data.
 */

export const CLIENT_ID = '70Wx55DVqBjCtcjKPhV4ZMCuXBW7b8Ib';
export const CLIENT_SECRET = 'ud9fv4OxmlvMwTi0JezZSQD2YazBXKIqSkdtdWTC';
/** The app id equals the client id (contract §3.1, Assumed). */
export const APP_ID = CLIENT_ID;
export const APP_NAME = 'Bookgraph Gateway';

export const ORG_ALSTER = 'f6ywK5E9U5ozmomLNOsqwxQdbINSl8NL';
export const ORG_BROOKLYN = 'f61KUMNaksEnvT94j97KYf98IEwM69MU';
export const ORG_VIENNA = 'f6mszSXxmhQYQti8tfMkeI8X4FCLf99C';

/** Minutes after midnight. */
const h = (hours: number, minutes = 0) => hours * 60 + minutes;
const weekdays = (days: number[], hours: DayHours) => Object.fromEntries(days.map((d) => [d, hours]));

interface TemplateSpec {
  name: string;
  description: string;
  duration: number;
  priceGross: number;
  showPrice: boolean;
  leadTime: number;
  dayLatest: number;
  /** Indexes into the organization's two employees, in preference order. */
  staff: number[];
}

interface OrgSpec {
  org: Omit<Organization, 'timestampAdd' | 'timestampEdit'>;
  taxRate: number;
  employees: Array<[string, string]>;
  templates: TemplateSpec[];
  appointments: number;
  locale: string;
  phone: (r: SeedRandom) => string;
}

const digits = (r: SeedRandom, n: number) => r.chars(n, '0123456789');

const ORG_SPECS: OrgSpec[] = [
  {
    org: {
      id: ORG_ALSTER,
      customId: '',
      name: 'Physiopraxis Alster',
      description: 'Physiotherapie in Hamburg',
      address: { street: 'Alsterufer 12', zip: '20354', city: 'Hamburg', country: 'DE' },
      telephone: '+49 40 1234567',
      email: 'praxis@alster.example',
      timeZone: 'Europe/Berlin',
      currency: 'EUR',
      permitted: true,
      hours: weekdays([1, 2, 3, 4, 5], [h(8), h(18)]),
    },
    taxRate: 19,
    employees: [
      ['Lena', 'Vogt'],
      ['Jörg', 'Bräuer'],
    ],
    templates: [
      { name: 'Physiotherapie 30 min', description: '', duration: 30, priceGross: 45, showPrice: true, leadTime: 120, dayLatest: 60, staff: [0, 1] },
      {
        name: 'Manuelle Therapie 45 min',
        description: 'Manuelle Therapie nach Verordnung',
        duration: 45,
        priceGross: 65,
        showPrice: true,
        leadTime: 120,
        dayLatest: 60,
        staff: [1, 0],
      },
      {
        name: 'Erstbefund 60 min',
        description: 'Anamnese und Befund',
        duration: 60,
        priceGross: 80,
        showPrice: true,
        leadTime: 1440,
        dayLatest: 45,
        staff: [0],
      },
      { name: 'Lymphdrainage 30 min', description: '', duration: 30, priceGross: 40, showPrice: false, leadTime: 60, dayLatest: 30, staff: [1] },
    ],
    appointments: 44,
    locale: 'de',
    phone: (r) => `+49 151 ${digits(r, 7)}`,
  },
  {
    org: {
      id: ORG_BROOKLYN,
      customId: 'BBS-NY',
      name: 'Brooklyn Bike Service',
      description: 'Bicycle repairs and fittings in Brooklyn',
      address: { street: '214 Bedford Ave', zip: '11249', city: 'Brooklyn', country: 'US' },
      telephone: '+1 718 555 0142',
      email: 'shop@brooklynbike.example',
      timeZone: 'America/New_York',
      currency: 'USD',
      permitted: true,
      hours: { ...weekdays([2, 3, 4, 5], [h(10), h(19)]), 6: [h(9), h(15)] },
    },
    taxRate: 8.875,
    employees: [
      ['Marcus', 'Reed'],
      ['Inés', 'Peña'],
    ],
    templates: [
      {
        name: 'Tune-up',
        description: 'Full safety check and adjustment',
        duration: 60,
        priceGross: 89,
        showPrice: true,
        leadTime: 240,
        dayLatest: 30,
        staff: [0, 1],
      },
      { name: 'Flat fix', description: '', duration: 30, priceGross: 25, showPrice: true, leadTime: 60, dayLatest: 14, staff: [1, 0] },
      {
        name: 'Bike fitting',
        description: 'Professional fit with saddle and bar setup',
        duration: 90,
        priceGross: 150,
        showPrice: true,
        leadTime: 1440,
        dayLatest: 60,
        staff: [0],
      },
    ],
    appointments: 16,
    locale: 'en',
    phone: (r) => `+1 718 555 ${digits(r, 4)}`,
  },
  {
    org: {
      id: ORG_VIENNA,
      customId: '',
      name: 'Salon Wien Mitte',
      description: 'Friseursalon in Wien',
      address: { street: 'Landstraßer Hauptstraße 7', zip: '1030', city: 'Wien', country: 'AT' },
      telephone: '+43 1 7654321',
      email: 'salon@wienmitte.example',
      timeZone: 'Europe/Vienna',
      currency: 'EUR',
      permitted: false,
      hours: { ...weekdays([2, 3, 4, 5], [h(9), h(18)]), 6: [h(9), h(13)] },
    },
    taxRate: 20,
    employees: [
      ['Sophie', 'Gruber'],
      ['Lukas', 'Höfer'],
    ],
    templates: [
      { name: 'Damenhaarschnitt', description: '', duration: 60, priceGross: 58, showPrice: true, leadTime: 120, dayLatest: 60, staff: [0, 1] },
      { name: 'Herrenhaarschnitt', description: '', duration: 30, priceGross: 32, showPrice: true, leadTime: 120, dayLatest: 60, staff: [1, 0] },
      { name: 'Färben', description: 'Färben inklusive Pflege', duration: 90, priceGross: 95, showPrice: true, leadTime: 240, dayLatest: 60, staff: [0] },
    ],
    appointments: 12,
    locale: 'de',
    phone: (r) => `+43 660 ${digits(r, 7)}`,
  },
];

const FEMALE = new Set(['Zoë', 'Amélie', 'Priya', 'Chloé', 'Aoife', 'Hannah', 'Fatima']);
const CUSTOMERS_PER_ORG = 12;
/** Seeded appointments start on this grid, like the booking slots. */
const GRID_MINUTES = 30;
const DAY_MS = 86_400_000;

/** The local calendar date `days` after the anchor date. */
function shiftDate(anchorDate: string, days: number) {
  const d = new Date(Date.parse(`${anchorDate}T00:00:00.000Z`) + days * DAY_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** Builds the whole seed for `anchorDate` (`YYYY-MM-DD`). Pure: same anchor, same data. */
export function buildSeed(anchorDate: string): SeedData {
  const rng = new SeedRandom(`bookingtime:${anchorDate}`);
  const anchor = anchorMs(anchorDate);
  const id = (prefix: string) => prefix + rng.base62(30);
  const out: SeedData = { organizations: [], resources: [], templates: [], customers: [], appointments: [] };

  ORG_SPECS.forEach((spec, orgIndex) => {
    const added = anchor - (420 - orgIndex * 30) * DAY_MS + 8 * 3_600_000;
    out.organizations.push({ ...spec.org, timestampAdd: added, timestampEdit: anchor - (50 - orgIndex) * DAY_MS + 10 * 3_600_000 });

    const employees: BookingResource[] = spec.employees.map(([firstName, lastName]) => ({
      id: id(PREFIX.bookingResource),
      organizationId: spec.org.id,
      type: 'EMPLOYEE',
      firstName,
      lastName,
    }));
    out.resources.push(...employees);

    const templates: BookingTemplate[] = spec.templates.map((t) => ({
      id: id(PREFIX.bookingTemplate),
      customId: '',
      organizationId: spec.org.id,
      name: t.name,
      description: t.description,
      duration: t.duration,
      showPrice: t.showPrice,
      priceGross: t.priceGross,
      currency: spec.org.currency,
      taxRate: spec.taxRate,
      bookingDayEarliest: 0,
      bookingDayLatest: t.dayLatest,
      bookingLeadTime: t.leadTime,
      resourceIds: t.staff.map((i) => employees[i].id),
    }));
    templates[0].customId = `${spec.org.id.slice(2, 5).toUpperCase()}-T1`;
    out.templates.push(...templates);

    // Customers: a rotation of the seed people, so each organization has its own mix.
    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS_PER_ORG; i++) {
      const person = SEED_PEOPLE[(i + orgIndex * 4) % SEED_PEOPLE.length];
      const created = anchor - rng.int(60, 400) * DAY_MS - rng.int(0, 600) * 60_000;
      const gender: Gender = FEMALE.has(person.first) ? 'FEMALE' : i % 7 === 5 ? 'NONE' : 'MALE';
      customers.push({
        id: id(PREFIX.customer),
        customId: i % 3 === 0 ? `K-${orgIndex + 1}${String(1001 + i)}` : '',
        organizationId: spec.org.id,
        gender,
        firstName: person.first,
        lastName: person.last,
        email: seedEmail(person.first, person.last),
        telephone: i % 4 === 1 ? spec.org.telephone.replace(/\d{4}$/, digits(rng, 4)) : '',
        mobile: i % 4 === 1 ? '' : spec.phone(rng),
        locale: spec.locale,
        notes: i === 2 ? 'Bevorzugt Termine am Vormittag.' : '',
        address: { street: '', zip: '', city: spec.org.address.city, country: spec.org.address.country },
        timestampAdd: created,
        timestampEdit: created + rng.int(0, 40) * DAY_MS,
      });
    }
    out.customers.push(...customers);

    // Appointments spread evenly over anchor − 30 … anchor + 30 days.
    const busy: Array<{ resourceId: string; start: number; end: number }> = [];
    const n = spec.appointments;
    for (let i = 0; i < n; i++) {
      const target = -30 + Math.floor(((i + 0.5) * 61) / n);
      const placed = placeAppointment(rng, spec, templates, target, anchorDate, busy);
      if (!placed) continue;
      const { template, resourceId, start } = placed;
      const end = start + template.duration * 60_000;
      busy.push({ resourceId, start, end });
      const customer = customers[rng.int(0, customers.length - 1)];
      const canceled = i % 5 === 3;
      const moved = !canceled && i % 6 === 1;
      const bookedAt = Math.min(start - rng.int(1, 21) * DAY_MS, anchor - rng.int(1, 12) * 3_600_000) - rng.int(0, 59) * 60_000;
      const changedAt = canceled || moved ? Math.min(bookedAt + rng.int(2, 48) * 3_600_000, start - 3_600_000) : bookedAt;
      out.appointments.push({
        id: id(PREFIX.appointment),
        customId: i % 10 === 0 ? `T-${orgIndex + 1}${String(5000 + i)}` : '',
        organizationId: spec.org.id,
        bookingTemplateId: template.id,
        customerId: customer.id,
        customerSnapshot: { id: customer.id, customId: customer.customId, firstName: customer.firstName, lastName: customer.lastName },
        startMs: start,
        endMs: end,
        notes: i % 6 === 1 ? 'Bitte 10 Minuten früher kommen.' : '',
        resourceIds: [resourceId],
        canceled,
        moved,
        timestampAdd: bookedAt,
        timestampEdit: Math.max(changedAt, bookedAt),
      });
    }
  });
  return out;
}

/**
 * Picks a template, employee and start near `targetDay` (days after the anchor) inside business
 * hours, on the slot grid, without overlapping the employee's other appointments.
 */
function placeAppointment(
  rng: SeedRandom,
  spec: OrgSpec,
  templates: BookingTemplate[],
  targetDay: number,
  anchorDate: string,
  busy: Array<{ resourceId: string; start: number; end: number }>,
): { template: BookingTemplate; resourceId: string; start: number } | null {
  const zone = spec.org.timeZone;
  const template = templates[rng.int(0, templates.length - 1)];
  // Nearest open day to the target, staying inside anchor ± 30 days.
  const order = [0, 1, -1, 2, -2, 3, -3, 4, -4].map((k) => targetDay + k).filter((d) => d >= -30 && d <= 30);
  for (const day of order) {
    const date = shiftDate(anchorDate, day);
    const hours = spec.org.hours[date.weekday];
    if (!hours) continue;
    const starts = Math.floor((hours[1] - hours[0] - template.duration) / GRID_MINUTES) + 1;
    for (let attempt = 0; attempt < 12; attempt++) {
      const minute = hours[0] + rng.int(0, starts - 1) * GRID_MINUTES;
      const start = zonedToUtc(zone, date.y, date.m, date.d, Math.floor(minute / 60), minute % 60);
      const end = start + template.duration * 60_000;
      const resourceId = template.resourceIds[attempt % template.resourceIds.length];
      const clash = busy.some((b) => b.resourceId === resourceId && b.start < end && start < b.end);
      if (!clash && localParts(zone, start).d === date.d) return { template, resourceId, start };
    }
  }
  return null;
}
