import { randomString } from '../framework/util.js';
import { createContact, findContactByEmail } from './directory.js';
import { type Booking, type Invitee, type Location, type Question, type Resource, type User, iso } from './model.js';
import { bookingLocation } from './seed.js';
import type { DayScheduleState } from './state.js';

/**
 * Booking state changes shared by the v1 API, the public widget API and `/__sandbox/events`
 * (dayschedule.md §3.4): create (pending for an approval resource, contacts auto-created),
 * cancel as host or invitee, reschedule.
 */

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const runtimeRng = { chars: (n: number, alphabet: string) => randomString(n, alphabet) };

export interface NewInvitee {
  name: string;
  email: string;
  time_zone?: string;
  questions?: Question[];
  guests?: string[];
}

export interface NewBooking {
  resource: Resource;
  host: User;
  start: number;
  end: number;
  invitees: NewInvitee[];
  timeZone?: string;
  /** Fields given by the caller; missing ones come from the resource's first location. */
  location?: Partial<Location>;
  description?: string;
  /** Who booked, for the log line: `API` or `booking page`. */
  via: string;
}

/** Stores a booking whose slot was already checked; returns it. */
export function createBooking(state: DayScheduleState, input: NewBooking): Booking {
  const now = state.clock.now();
  const { resource, host } = input;
  const org = state.org(resource.org_id);
  const bookingId = state.newId();
  const status = resource.requires_approval ? 'pending' : 'confirmed';
  const timeZone = input.timeZone ?? input.invitees[0].time_zone ?? org?.timezone ?? 'UTC';
  const invitees: Invitee[] = input.invitees.map((i) => ({
    invitee_id: state.newId(),
    booking_id: bookingId,
    name: i.name,
    email: i.email,
    guests: [...(i.guests ?? [])],
    status,
    time_zone: i.time_zone ?? timeZone,
    token: randomString(10, TOKEN_ALPHABET),
    questions: structuredClone(i.questions ?? []),
    created_at: now,
    updated_at: now,
  }));
  for (const i of input.invitees) {
    // §3.3: an unknown invitee email becomes a contact of the organization.
    if (!findContactByEmail(state, resource.org_id, i.email)) {
      const phone = i.questions?.find((q) => q.name === 'phone' && typeof q.value === 'string')?.value as string | undefined;
      createContact(state, resource.org_id, {
        name: i.name,
        email: i.email,
        user_id: host.user_id,
        phone: phone ?? '',
        company: '',
        tags: [],
        custom_fields: [],
      });
    }
  }
  const base = resource.locations[0] ?? { type: 'custom', name: 'Custom' };
  const given = input.location ?? {};
  const merged = (given.type ? { name: given.type, ...given } : { ...base, ...given }) as Location;
  const location = merged.join_url ? merged : bookingLocation(merged, runtimeRng);
  const logs = [`${iso(now)} Booking scheduled by ${invitees[0].name} via ${input.via}`];
  if (status === 'pending') logs.push(`${iso(now)} Awaiting approval by ${host.name}`);
  const booking: Booking = {
    booking_id: bookingId,
    org_id: resource.org_id,
    source: 'dayschedule',
    resource_id: resource.id,
    host_user_id: host.user_id,
    subject: `${invitees[0].name} and ${host.name}: ${resource.name}`,
    start_at: input.start,
    end_at: input.end,
    duration: { type: 'minutes', value: Math.round((input.end - input.start) / 60_000) },
    time_zone: timeZone,
    status,
    color: resource.color,
    location,
    description: input.description ?? '',
    canceled_at: null,
    cancel_reason: null,
    canceled_by: null,
    reschedule: null,
    logs,
    invitees,
    created_at: now,
    updated_at: now,
  };
  state.addBooking(booking);
  return booking;
}

/** Cancels the whole booking and every invitee (§3.4). */
export function cancelBooking(state: DayScheduleState, b: Booking, by: 'host' | 'invitee', reason: string | null, actor: string): void {
  const now = state.clock.now();
  b.status = 'canceled';
  b.canceled_at = now;
  b.cancel_reason = reason;
  b.canceled_by = by;
  b.updated_at = now;
  for (const i of b.invitees) {
    if (i.status !== 'canceled') {
      i.status = 'canceled';
      i.updated_at = now;
    }
  }
  b.logs.push(`${iso(now)} Booking canceled by ${actor}${reason ? `: ${reason}` : ''}`);
}

/**
 * Public cancel of one invitee (§3.4): one-on-one and round-robin bookings are cancelled whole; in
 * a group booking only that invitee, and the booking once none is left. Returns whether the
 * booking became `canceled`.
 */
export function cancelInvitee(state: DayScheduleState, b: Booking, invitee: Invitee, reason: string | null, groupEvent: boolean): boolean {
  if (!groupEvent) {
    cancelBooking(state, b, 'invitee', reason, invitee.name);
    return true;
  }
  const now = state.clock.now();
  invitee.status = 'canceled';
  invitee.updated_at = now;
  b.updated_at = now;
  b.logs.push(`${iso(now)} ${invitee.name} canceled${reason ? `: ${reason}` : ''}`);
  if (b.invitees.every((i) => i.status === 'canceled')) {
    b.status = 'canceled';
    b.canceled_at = now;
    b.cancel_reason = reason;
    b.canceled_by = 'invitee';
    return true;
  }
  return false;
}

/** Moves a booking to [start, end) whose slot was already checked; records `reschedule{…}`. */
export function rescheduleBooking(state: DayScheduleState, b: Booking, start: number, end: number, actor: string): void {
  const now = state.clock.now();
  b.reschedule = { previous_start_at: b.start_at, previous_end_at: b.end_at, rescheduled_at: now, rescheduled_by: 'host' };
  b.logs.push(`${iso(now)} Booking rescheduled by ${actor} from ${iso(b.start_at)} to ${iso(start)}`);
  b.start_at = start;
  b.end_at = end;
  b.duration = { type: 'minutes', value: Math.round((end - start) / 60_000) };
  b.updated_at = now;
  for (const key of [...state.fired]) if (key.endsWith(`:${b.booking_id}`)) state.fired.delete(key);
  state.sortBookings();
}
