import { BookingEventType, BookingStatus } from '../enums.js';
import type { UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedService, UnifiedTimeSlot } from '../types.js';
import { dayscheduleProvider as P } from './provider.js';
import type { AvailabilityAnswer, BookingRecord, ContactRecord, PageRecord, ResourceRecord, TriggerPayload, UserRecord } from './schemas.js';

/** Pure mapping of DaySchedule records into the unified model (contract §6). */

const MINUTE_MS = 60_000;

/** Minutes of a §3.2 duration (`{type: "minutes" | "hours", value}`). */
export function durationInMinutes(d: { type: string; value: number } | undefined): number | null {
  if (!d) return null;
  return d.type === 'hours' ? d.value * 60 : d.value;
}

/**
 * The organization of a grant (there is no organization endpoint, §3.1): name ← the default page's
 * `name` (fallback: the owner's name), timezone ← the `Owner` user's `time_zone`. `raw` holds the
 * records it was built from.
 */
export function toOrganization(orgId: number, pages: PageRecord[], users: UserRecord[]): UnifiedOrganization {
  const page = pages.find((p) => p.org_id === orgId && p.is_default) ?? null;
  const owner = users.find((u) => u.org_id === orgId && u.role?.toLowerCase() === 'owner') ?? null;
  return {
    ref: String(orgId),
    nativeId: String(orgId),
    name: page?.name || owner?.name || `DaySchedule organization ${orgId}`,
    timezone: owner?.time_zone || null,
    raw: { org_id: orgId, page, owner },
  };
}

export function toService(r: ResourceRecord): UnifiedService {
  const price = r.prices?.[0];
  return {
    ref: r.id,
    nativeId: r.id,
    organizationRef: String(r.org_id),
    name: r.name,
    description: r.description || null,
    durationMinutes: durationInMinutes(r.durations[0]),
    price: price ? { amount: price.amount, currency: price.currency } : null,
    raw: r,
  };
}

/** `name` is one field: split on the first space (lossy, §6). */
export function splitName(name: string): { firstName: string | null; lastName: string | null } {
  const trimmed = name.trim();
  const i = trimmed.indexOf(' ');
  if (i < 0) return { firstName: trimmed || null, lastName: null };
  return { firstName: trimmed.slice(0, i), lastName: trimmed.slice(i + 1).trim() || null };
}

/** `createCustomer` sends `name = firstName + " " + lastName` (§6). */
export function joinName(firstName: string, lastName: string): string {
  return `${firstName.trim()} ${lastName.trim()}`.trim();
}

export function toCustomer(c: ContactRecord): UnifiedCustomer {
  return {
    ref: c.contact_id,
    nativeId: c.contact_id,
    organizationRef: String(c.org_id),
    ...splitName(c.name),
    email: c.email || null,
    phone: c.phone || null,
    raw: c,
  };
}

/**
 * Booking status (§6): `canceled` → CANCELED, `pending` → PENDING, `confirmed` → CONFIRMED, or
 * COMPLETED once `end_at` has passed at `nowMs` (the platform has no completed state).
 */
export function bookingStatus(status: string, endMs: number, nowMs: number): BookingStatus {
  const s = status.toLowerCase();
  if (s === 'canceled' || s === 'cancelled') return BookingStatus.CANCELED;
  if (s === 'pending') return BookingStatus.PENDING;
  return endMs <= nowMs ? BookingStatus.COMPLETED : BookingStatus.CONFIRMED;
}

/**
 * The native statuses to ask for so that every booking of `statuses` is included; an empty array
 * means none can match (e.g. only NO_SHOW), undefined means no restriction.
 */
export function nativeStatuses(statuses: readonly BookingStatus[] | undefined): string[] | undefined {
  if (!statuses?.length) return undefined;
  const out = new Set<string>();
  for (const s of statuses) {
    if (s === BookingStatus.CONFIRMED || s === BookingStatus.COMPLETED) out.add('confirmed');
    else if (s === BookingStatus.PENDING) out.add('pending');
    else if (s === BookingStatus.CANCELED) out.add('canceled');
  }
  return [...out];
}

/**
 * Whether filtering on the one native `status` leaves nothing for the connector to drop: every
 * unified status it maps to is among `statuses` (`confirmed` is CONFIRMED or COMPLETED by its end).
 */
export function statusExactly(status: string, statuses: readonly BookingStatus[]): boolean {
  const unified =
    status === 'confirmed' ? [BookingStatus.CONFIRMED, BookingStatus.COMPLETED] : status === 'pending' ? [BookingStatus.PENDING] : [BookingStatus.CANCELED];
  return unified.every((s) => statuses.includes(s));
}

/** The e-mail of the first invitee (detail `invitees[]`, else list `attendees[]`), lower-cased, or null. */
export function firstInviteeEmail(b: BookingRecord): string | null {
  const email = (b.invitees?.[0] ?? b.attendees?.[0])?.email?.trim();
  return email ? email.toLowerCase() : null;
}

/** `customerRef` is the contact found by the first invitee's e-mail (the connector looks it up). */
export function toBooking(b: BookingRecord, nowMs: number, customerRef: string | null): UnifiedBooking {
  const startsAt = new Date(b.start_at);
  const endsAt = new Date(b.end_at);
  return {
    ref: b.booking_id,
    nativeId: b.booking_id,
    organizationRef: String(b.org_id),
    status: bookingStatus(b.status, endsAt.getTime(), nowMs),
    startsAt,
    endsAt,
    timezone: b.time_zone || null,
    serviceRef: b.resource?.resource_id ?? null,
    customerRef,
    createdAt: b.created_at ? new Date(b.created_at) : null,
    updatedAt: b.updated_at ? new Date(b.updated_at) : null,
    raw: b,
  };
}

/**
 * Free slots of a §3.5 answer: hours with `available > 0`; a slot ends at `time + minutes`
 * (the duration that was asked for, else the answer's own `duration`).
 */
export function toTimeSlots(a: AvailabilityAnswer, serviceRef: string, minutes: number | null): UnifiedTimeSlot[] {
  const length = minutes ?? a.duration ?? null;
  const out: UnifiedTimeSlot[] = [];
  for (const day of a.slots) {
    for (const h of day.hours) {
      if (h.available <= 0 || length === null) continue;
      const startsAt = new Date(h.time);
      out.push({ startsAt, endsAt: new Date(startsAt.getTime() + length * MINUTE_MS), serviceRef, available: h.available });
    }
  }
  return out;
}

/** A trigger `type` (§4) as a unified booking event, or null for an unknown type. */
export function eventTypeOf(trigger: string): BookingEventType | null {
  return (P.triggerEvents as Record<string, BookingEventType>)[trigger] ?? null;
}

/** The unified events → the trigger types that report them (§4, §6), the inverse of `P.triggerEvents`. */
export function triggerTypeOf(event: BookingEventType): string | null {
  return Object.entries(P.triggerEvents).find(([, e]) => e === event)?.[0] ?? null;
}

/**
 * The booking of a §4 delivery as a §3.4 record, so `toBooking` maps it like a listed one: the
 * delivery names the resource `booking.event.event_id` where the list has `resource.resource_id`.
 */
export function triggerBooking(p: TriggerPayload): BookingRecord {
  const b = p.booking;
  const resourceId = b.event?.event_id;
  return b.resource || resourceId === null || resourceId === undefined ? b : { ...b, resource: { resource_id: String(resourceId) } };
}
