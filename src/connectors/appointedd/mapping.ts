import { BookingStatus } from '../enums.js';
import type { UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedService, UnifiedTimeSlot } from '../types.js';
import type { AccountResource, BookingResource, CustomerResource, PushedBooking, ServiceResource, SlotResource } from './schemas.js';

/** Pure mapping of Appointedd records into the unified model (contract §6). */

export function toOrganization(a: AccountResource): UnifiedOrganization {
  return { ref: a.id, nativeId: a.id, name: a.attributes.name, timezone: a.attributes.timezone ?? null, raw: a };
}

export function toService(s: ServiceResource): UnifiedService {
  const a = s.attributes;
  return {
    ref: s.id,
    nativeId: s.id,
    organizationRef: s.relationships.account?.data?.id ?? '',
    name: a.name,
    description: a.description || null,
    durationMinutes: a.booking?.durations?.[0] ?? null,
    price: typeof a.price === 'number' && a.currency ? { amount: a.price, currency: a.currency } : null,
    raw: s,
  };
}

export function toCustomer(c: CustomerResource): UnifiedCustomer {
  const p = c.attributes.profile;
  return {
    ref: c.id,
    nativeId: c.id,
    organizationRef: c.relationships.account?.data?.id ?? '',
    firstName: p.firstname || null,
    lastName: p.lastname || null,
    email: p.email || null,
    phone: p.mobile || p.phone || null,
    raw: c,
  };
}

/**
 * Booking status: `cancelled` → CANCELED, `pending` → PENDING; `confirmed` by the first
 * participant (`No Show` → NO_SHOW, `Attended` → COMPLETED, else CONFIRMED, or COMPLETED once the
 * end has passed at `nowMs`). Compared case-insensitively (webhooks capitalise).
 */
export function bookingStatus(status: string, participantStatus: string | null | undefined, endMs: number, nowMs: number): BookingStatus {
  const s = status.toLowerCase();
  if (s === 'cancelled' || s === 'canceled') return BookingStatus.CANCELED;
  if (s === 'pending') return BookingStatus.PENDING;
  const p = (participantStatus ?? '').toLowerCase();
  if (p === 'no show') return BookingStatus.NO_SHOW;
  if (p === 'attended') return BookingStatus.COMPLETED;
  return endMs <= nowMs ? BookingStatus.COMPLETED : BookingStatus.CONFIRMED;
}

/**
 * The platform statuses (`filter[status]`, §3.4) that hold every booking of `statuses`: CONFIRMED,
 * COMPLETED and NO_SHOW are all `confirmed` (told apart by participant and time). Undefined = no
 * restriction; never empty for a non-empty `statuses`.
 */
export function nativeStatuses(statuses: readonly BookingStatus[] | undefined): string[] | undefined {
  if (!statuses?.length) return undefined;
  const out = new Set<string>();
  for (const s of statuses) out.add(s === BookingStatus.CANCELED ? 'cancelled' : s === BookingStatus.PENDING ? 'pending' : 'confirmed');
  return [...out].sort();
}

export function toBooking(b: BookingResource, nowMs: number): UnifiedBooking {
  const a = b.attributes;
  const startsAt = new Date(a.start);
  const endsAt = new Date(a.end);
  const firstCustomer = a.customers[0]?.customer_id ?? b.relationships.customers?.data[0]?.id ?? null;
  return {
    ref: b.id,
    nativeId: b.id,
    organizationRef: b.relationships.account?.data?.id ?? '',
    status: bookingStatus(a.status, a.customers[0]?.status, endsAt.getTime(), nowMs),
    startsAt,
    endsAt,
    timezone: a.timezone ?? null,
    serviceRef: b.relationships.service?.data?.id ?? null,
    customerRef: firstCustomer,
    createdAt: a.created ? new Date(a.created) : null,
    updatedAt: a.updated ? new Date(a.updated) : null,
    raw: b,
  };
}

/**
 * A booking push's data (§4) → Booking, field for field what `toBooking` makes of the same booking's
 * resource: the account ← `organisation.id`, service ← `service.id`, customer ← the first participant,
 * status by the same rule (the capitalised `Confirmed` and `No Status` compare case-insensitively).
 * `raw` is the push's data as received.
 */
export function toBookingFromPush(p: PushedBooking, nowMs: number): UnifiedBooking {
  const b = p.booking;
  const startsAt = new Date(b.start_time);
  const endsAt = new Date(b.end_time);
  return {
    ref: b.id,
    nativeId: b.id,
    organizationRef: p.organisation.id,
    status: bookingStatus(b.status, p.participants[0]?.booking_status, endsAt.getTime(), nowMs),
    startsAt,
    endsAt,
    timezone: b.timezone ?? null,
    serviceRef: p.service?.id ?? null,
    customerRef: p.participants[0]?.id ?? null,
    createdAt: b.created ? new Date(b.created) : null,
    updatedAt: b.updated ? new Date(b.updated) : null,
    raw: p,
  };
}

export function toTimeSlot(s: SlotResource, serviceRef: string): UnifiedTimeSlot {
  return {
    startsAt: new Date(s.attributes.start),
    endsAt: new Date(s.attributes.end),
    serviceRef: s.relationships?.service?.data?.id ?? serviceRef,
    available: s.attributes.spaces_available ?? null,
  };
}
