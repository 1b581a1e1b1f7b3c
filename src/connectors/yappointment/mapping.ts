import { BookingStatus } from '../enums.js';
import type { UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedService, UnifiedTimeSlot } from '../types.js';
import type { BookingRecord, CompanyRecord, CustomerRecord, NativeBookingStatus, ServiceRecord, SlotRecord } from './schemas.js';

/**
 * Pure mapping of yAppointment records into the unified model (contract §6). One grant is one
 * company, so record ids are unambiguous within a connection: `ref === nativeId`, and the company
 * `_id` is every record's `organizationRef`.
 */

export function toOrganization(c: CompanyRecord): UnifiedOrganization {
  return { ref: c._id, nativeId: c._id, name: c.name, timezone: c.timezone ?? null, raw: c };
}

export function toService(s: ServiceRecord, companyId: string): UnifiedService {
  return {
    ref: s.id,
    nativeId: s.id,
    organizationRef: companyId,
    name: s.name,
    description: s.description || null,
    durationMinutes: s.duration ?? null,
    price: typeof s.price === 'number' && s.currency ? { amount: s.price, currency: s.currency } : null,
    raw: s,
  };
}

export function toCustomer(c: CustomerRecord, companyId: string): UnifiedCustomer {
  return {
    ref: c.id,
    nativeId: c.id,
    organizationRef: companyId,
    firstName: c.firstName || null,
    lastName: c.lastName || null,
    email: c.email || null,
    phone: c.phone || null,
    raw: c,
  };
}

/** Explicit statuses, no derivation (§6): the platform has its own completed and no-show states. */
const STATUS: Record<NativeBookingStatus, BookingStatus> = {
  confirmed: BookingStatus.CONFIRMED,
  pending: BookingStatus.PENDING,
  cancelled: BookingStatus.CANCELED,
  completed: BookingStatus.COMPLETED,
  no_show: BookingStatus.NO_SHOW,
};

export function bookingStatus(status: NativeBookingStatus): BookingStatus {
  return STATUS[status];
}

/** The native statuses of unified ones (for `filter.status`); one-to-one. */
export function nativeStatuses(statuses: readonly BookingStatus[]): NativeBookingStatus[] {
  return (Object.keys(STATUS) as NativeBookingStatus[]).filter((n) => statuses.includes(STATUS[n]));
}

export function toBooking(b: BookingRecord, companyId: string): UnifiedBooking {
  return {
    ref: b.id,
    nativeId: b.id,
    organizationRef: b.companyId ?? companyId,
    status: bookingStatus(b.status),
    startsAt: new Date(b.start),
    endsAt: new Date(b.end),
    timezone: b.timezone ?? null,
    serviceRef: b.serviceId ?? null,
    customerRef: b.customerId ?? null,
    createdAt: b.createdAt ? new Date(b.createdAt) : null,
    updatedAt: b.updatedAt ? new Date(b.updatedAt) : null,
    raw: b,
  };
}

/**
 * Slots (§3.5) are one per free employee and start; each counts as one place (§6 `available` = 1),
 * so slots with the same start and end merge into one TimeSlot whose `available` is their number.
 * Sorted by start.
 */
export function toTimeSlots(slots: readonly SlotRecord[], serviceRef: string): UnifiedTimeSlot[] {
  const byTime = new Map<string, UnifiedTimeSlot>();
  for (const s of slots) {
    if (s.available === false) continue;
    const key = `${s.start}|${s.end}`;
    const hit = byTime.get(key);
    if (hit) hit.available = (hit.available ?? 0) + 1;
    else byTime.set(key, { startsAt: new Date(s.start), endsAt: new Date(s.end), serviceRef, available: 1 });
  }
  return [...byTime.values()].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.endsAt.getTime() - b.endsAt.getTime());
}
