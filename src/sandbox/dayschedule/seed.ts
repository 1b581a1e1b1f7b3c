import { SEED_PEOPLE, SeedRandom, anchorMs, localParts, seedEmail, zonedToUtc } from '../framework/seed.js';
import {
  type Booking,
  type BookingStatus,
  type Contact,
  type Invitee,
  type Location,
  type Resource,
  type SeedData,
  type User,
  WEEKDAYS,
  durationMinutes,
  iso,
  objectId,
} from './model.js';
import { type OrgPlan, PLANS } from './seed-plan.js';

/**
 * Deterministic seed data (README §6, dayschedule.md §1): the same anchor gives byte-identical data.
 * Two organizations (1117: 44 bookings, 2245: 16), 2–3 users, 4 resources (one needs approval) and
 * 12 contacts each; bookings from anchor − 29 to anchor + 29 days inside the hosts' working hours.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Invitee time zones, cycled over the bookings (§1 asks for these four). */
const INVITEE_ZONES = ['Asia/Kolkata', 'Europe/Berlin', 'Europe/London', 'America/New_York'];
const PHONE_PREFIXES = ['+91 98', '+49 151', '+44 7700', '+1 212'];
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A join URL for a virtual location (deterministic from `rng`). */
export function joinUrl(type: string, rng: { chars(n: number, a: string): string }): string | undefined {
  const lower = 'abcdefghijklmnopqrstuvwxyz';
  if (type === 'google_meet') return `https://meet.google.com/${rng.chars(3, lower)}-${rng.chars(4, lower)}-${rng.chars(3, lower)}`;
  if (type === 'zoom') return `https://zoom.us/j/${rng.chars(11, '0123456789')}`;
  return undefined;
}

/** The booking location for a resource's location (adds a join URL for virtual ones). */
export function bookingLocation(loc: Location, rng: { chars(n: number, a: string): string }): Location {
  const url = joinUrl(loc.type, rng);
  return url ? { ...loc, join_url: url } : { ...loc };
}

/** Working windows of `user` on the local day `y-m-d`, as UTC epoch-ms intervals. */
export function workingWindows(user: User, y: number, m: number, d: number): Array<[number, number]> {
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const day = user.availability.find((a) => a.day === WEEKDAYS[weekday]);
  if (!day?.is_available) return [];
  return day.times.map((t) => {
    const [sh, sm] = t.start.split(':').map(Number);
    const [eh, em] = t.end.split(':').map(Number);
    return [zonedToUtc(user.time_zone, y, m, d, sh, sm), zonedToUtc(user.time_zone, y, m, d, eh, em)];
  });
}

export function buildSeed(anchorDate: string): SeedData {
  const rng = new SeedRandom(`dayschedule:${anchorDate}`);
  const anchor = anchorMs(anchorDate);
  const data: SeedData = { orgs: [], users: [], pages: [], resources: [], contacts: [], bookings: [] };
  let scheduleId = 39_127;

  for (const plan of PLANS) {
    const { org } = plan;
    data.orgs.push({ ...org });
    const defaultPage = plan.pages.find((p) => p.is_default) as OrgPlan['pages'][number];
    const users: User[] = plan.users.map((u) => ({
      ...u,
      org_id: org.org_id,
      status: 'active',
      time_zone: org.timezone,
      page_id: defaultPage.page_id,
      booking_url: defaultPage.domain,
    }));
    data.users.push(...users);
    const orgCreated = anchor - 400 * DAY_MS + rng.int(0, 86_399) * 1000;
    for (const p of plan.pages) {
      data.pages.push({ ...p, org_id: org.org_id, is_published: true, created_at: orgCreated, updated_at: orgCreated + 60 * DAY_MS });
    }

    const resources: Resource[] = plan.resources.map((r, i) => {
      const created = orgCreated + (i + 1) * 120_000 + rng.int(0, 999);
      const minutes = durationMinutes(r.durations[0]);
      return {
        id: objectId(created, rng.hex(16)),
        org_id: org.org_id,
        page_id: defaultPage.page_id,
        user_id: r.hosts[0],
        hosts: [...r.hosts],
        name: r.name,
        slug: r.slug,
        type: r.type,
        event_type: r.event_type,
        schedule_id: scheduleId++,
        description: r.description,
        is_enabled: true,
        durations: r.durations.map((d) => ({ ...d })),
        prices: r.price ? [{ name: 'Standard', duration: `${minutes}m`, amount: r.price.amount, currency: r.price.currency }] : [],
        capacity: r.capacity,
        color: r.color,
        locations: [{ ...r.location }],
        questions: [{ type: 'text', name: 'phone', label: 'Phone', required: false }],
        requires_approval: r.requires_approval,
        created_at: created,
        updated_at: created + rng.int(10, 90) * DAY_MS,
      };
    });
    data.resources.push(...resources);

    const contacts: Contact[] = [];
    for (let i = 0; i < 12; i++) {
      const person = SEED_PEOPLE[(plan.peopleFrom + i) % SEED_PEOPLE.length];
      const created = anchor - rng.int(40, 300) * DAY_MS + rng.int(0, 86_399_999);
      contacts.push({
        contact_id: objectId(created, rng.hex(16)),
        org_id: org.org_id,
        user_id: rng.pick(users).user_id,
        name: `${person.first} ${person.last}`,
        email: seedEmail(person.first, person.last),
        phone: `${PHONE_PREFIXES[i % PHONE_PREFIXES.length]} ${rng.chars(3, '0123456789')} ${rng.chars(4, '0123456789')}`,
        company: i % 3 === 0 ? rng.pick(['Acme GmbH', 'Infosys', 'Northwind Ltd', 'Globex Inc.']) : '',
        source: 'dayschedule',
        hotness: rng.int(0, 5),
        tags: i % 4 === 0 ? ['vip'] : [],
        custom_fields: [],
        created_at: created,
        updated_at: created + rng.int(0, 30) * DAY_MS,
      });
    }
    data.contacts.push(...contacts);
    data.bookings.push(...seedBookings(plan, users, resources, contacts, rng, anchorDate, anchor));
  }
  data.bookings.sort((a, b) => a.start_at - b.start_at || a.booking_id.localeCompare(b.booking_id));
  return data;
}

function seedBookings(
  plan: OrgPlan,
  users: User[],
  resources: Resource[],
  contacts: Contact[],
  rng: SeedRandom,
  anchorDate: string,
  anchor: number,
): Booking[] {
  const out: Booking[] = [];
  const [ay, am, ad] = anchorDate.split('-').map(Number);
  const busy = (hostId: number, start: number, end: number) => out.some((b) => b.host_user_id === hostId && b.start_at < end && start < b.end_at);
  const count = plan.bookings;

  for (let i = 0; i < count; i++) {
    const resource = resources[i % resources.length];
    const hostId = rng.pick(resource.hosts);
    const host = users.find((u) => u.user_id === hostId) as User;
    const minutes = durationMinutes(resource.durations[0]);
    const target = -29 + Math.floor((i * 59) / count);
    // Nearest working day with a free slot, searching forward then backward within ±29 days.
    const order = [...Array(30).keys()].flatMap((k) => [target + k, target - k - 1]).filter((o) => o >= -29 && o <= 29);
    let start = -1;
    for (const offset of order) {
      const day = new Date(Date.UTC(ay, am - 1, ad + offset));
      const starts = workingWindows(host, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()).flatMap(([ws, we]) => {
        const list: number[] = [];
        for (let s = ws; s + minutes * MINUTE_MS <= we; s += 30 * MINUTE_MS) list.push(s);
        return list;
      });
      const free = starts.filter((s) => !busy(hostId, s, s + minutes * MINUTE_MS));
      if (free.length > 0) {
        start = rng.pick(free);
        break;
      }
    }
    if (start < 0) continue;
    const end = start + minutes * MINUTE_MS;

    const canceled = i % 6 === 3;
    const status: BookingStatus = canceled ? 'canceled' : resource.requires_approval && start > anchor ? 'pending' : 'confirmed';
    const created = Math.min(start - rng.int(1, 14) * DAY_MS - rng.int(0, 600) * MINUTE_MS, anchor - rng.int(1, 48) * HOUR_MS);
    const canceledAt = canceled ? created + Math.floor((Math.min(start, anchor) - created) / 2) : null;
    const bookingId = objectId(created, rng.hex(16));
    const seats = resource.event_type === 'group' ? rng.int(2, 3) : 1;
    const people: Contact[] = [];
    while (people.length < seats) {
      const c = rng.pick(contacts);
      if (!people.includes(c)) people.push(c);
    }
    const zone = INVITEE_ZONES[i % INVITEE_ZONES.length];
    const invitees: Invitee[] = people.map((c, k) => {
      const inviteeCreated = created + k * 1000;
      return {
        invitee_id: objectId(inviteeCreated, rng.hex(16)),
        booking_id: bookingId,
        name: c.name,
        email: c.email,
        guests: [],
        status,
        time_zone: k === 0 ? zone : INVITEE_ZONES[(i + k) % INVITEE_ZONES.length],
        token: rng.chars(10, TOKEN_ALPHABET),
        questions: [{ type: 'text', name: 'phone', label: 'Phone', value: c.phone }],
        created_at: inviteeCreated,
        updated_at: canceledAt ?? inviteeCreated,
      };
    });
    const logs = [`${iso(created)} Booking scheduled by ${people[0].name}`];
    if (resource.requires_approval) logs.push(`${iso(created)} Awaiting approval by ${host.name}`);
    if (resource.requires_approval && status === 'confirmed') logs.push(`${iso(created + HOUR_MS)} Booking approved by ${host.name}`);
    if (canceledAt !== null) logs.push(`${iso(canceledAt)} Booking canceled by ${people[0].name}: Schedule conflict`);
    out.push({
      booking_id: bookingId,
      org_id: plan.org.org_id,
      source: i % 9 === 4 ? 'google' : 'dayschedule',
      resource_id: resource.id,
      host_user_id: hostId,
      subject: `${people[0].name} and ${host.name}: ${resource.name}`,
      start_at: start,
      end_at: end,
      duration: { type: 'minutes', value: minutes },
      time_zone: zone,
      status,
      color: resource.color,
      location: bookingLocation(resource.locations[0], rng),
      description: i % 5 === 0 ? 'Booked from the website' : '',
      canceled_at: canceledAt,
      cancel_reason: canceled ? 'Schedule conflict' : null,
      canceled_by: canceled ? 'invitee' : null,
      reschedule: null,
      logs,
      invitees,
      created_at: created,
      updated_at: canceledAt ?? (resource.requires_approval && status === 'confirmed' ? created + HOUR_MS : created),
    });
  }
  return out;
}

/** Local calendar day of `ms` in `timeZone` as `[y, m, d]`. */
export function localYmd(timeZone: string, ms: number): [number, number, number] {
  const p = localParts(timeZone, ms);
  return [p.y, p.m, p.d];
}
