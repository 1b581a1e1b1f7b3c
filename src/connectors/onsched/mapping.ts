import { BookingStatus } from '../enums.js';
import type { UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedService, UnifiedTimeSlot } from '../types.js';
import type { Appointment, AvailableTime, Company, Customer, Service } from './schemas.js';

/**
 * Pure mapping of OnSched records into the unified model (contract §6). Ids are only meaningful
 * inside a company, so every ref except the organization's is `<companyId>:<id>`.
 */

const DAY_MS = 86_400_000;

/** `<companyId>:<id>`. */
export function scopedRef(companyId: string, id: string): string {
  return `${companyId}:${id}`;
}

/** The company and id of a `<companyId>:<id>` ref, or null when it is not one. */
export function parseScopedRef(ref: string): { companyId: string; id: string } | null {
  const i = ref.indexOf(':');
  if (i <= 0 || i === ref.length - 1) return null;
  const id = ref.slice(i + 1);
  return id.includes(':') ? null : { companyId: ref.slice(0, i), id };
}

export function toOrganization(c: Company): UnifiedOrganization {
  return {
    ref: c.id,
    nativeId: c.id,
    name: c.name,
    timezone: c.timezoneName || null,
    raw: c,
  };
}

/** `price` only with a currency configured on the connection: the API carries none (§6). */
export function toService(s: Service, companyId: string, currency: string | null): UnifiedService {
  return {
    ref: scopedRef(companyId, s.id),
    nativeId: s.id,
    organizationRef: companyId,
    name: s.name,
    description: s.description || null,
    durationMinutes: typeof s.duration === 'number' ? s.duration : null,
    price: currency && typeof s.feeAmount === 'number' ? { amount: s.feeAmount, currency } : null,
    raw: s,
  };
}

/** `phone` ← `contact.mobilePhone`, else `homePhone`, else `businessPhone` (§6). */
export function toCustomer(c: Customer, companyId: string): UnifiedCustomer {
  return {
    ref: scopedRef(companyId, c.id),
    nativeId: c.id,
    organizationRef: companyId,
    firstName: c.firstname || null,
    lastName: c.lastname || null,
    email: c.email || null,
    phone: c.contact?.mobilePhone || c.contact?.homePhone || c.contact?.businessPhone || null,
    raw: c,
  };
}

/**
 * Appointment status (§3.4, §6): `BK` → CONFIRMED (COMPLETED once `endMs` ≤ `nowMs`), `RS` → PENDING,
 * `CN` → CANCELED, `NS` → NO_SHOW. `IN`/`HD` (holds), `RE` (placeholder of a moved appointment) and
 * unknown codes are not bookings: null.
 */
export function bookingStatus(code: string, endMs: number, nowMs: number): BookingStatus | null {
  switch (code.toUpperCase()) {
    case 'BK':
      return endMs <= nowMs ? BookingStatus.COMPLETED : BookingStatus.CONFIRMED;
    case 'RS':
      return BookingStatus.PENDING;
    case 'CN':
      return BookingStatus.CANCELED;
    case 'NS':
      return BookingStatus.NO_SHOW;
    default:
      return null;
  }
}

/**
 * The one status code the list endpoint can filter on for `statuses` (it takes a single `status`),
 * or undefined when the statuses need several codes (or none is given).
 */
export function platformStatusFilter(statuses: readonly string[] | undefined): string | undefined {
  if (!statuses?.length) return undefined;
  const codes = new Set(
    statuses.map(
      (s) =>
        ({
          CONFIRMED: 'BK',
          COMPLETED: 'BK',
          PENDING: 'RS',
          CANCELED: 'CN',
          NO_SHOW: 'NS',
        })[s] ?? '?',
    ),
  );
  return codes.size === 1 && !codes.has('?') ? [...codes][0] : undefined;
}

/**
 * Whether the one status code `platformStatusFilter` picks for `statuses` leaves nothing for the
 * connector to drop: `BK` is CONFIRMED or COMPLETED (by its end), so it is exact only with both.
 */
export function statusFilterExact(statuses: readonly string[]): boolean {
  const code = platformStatusFilter(statuses);
  if (!code) return false;
  return code !== 'BK' || (statuses.includes(BookingStatus.CONFIRMED) && statuses.includes(BookingStatus.COMPLETED));
}

const dateOrNull = (s: string | null | undefined): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** An appointment as a booking, or null when it is not one (see `bookingStatus`). Times in UTC. */
export function toBooking(a: Appointment, companyId: string, nowMs: number): UnifiedBooking | null {
  const startsAt = new Date(a.startDateTime);
  const endsAt = new Date(a.endDateTime);
  const status = bookingStatus(a.status, endsAt.getTime(), nowMs);
  if (!status) return null;
  return {
    ref: scopedRef(companyId, a.id),
    nativeId: a.id,
    organizationRef: companyId,
    status,
    startsAt,
    endsAt,
    timezone: a.timezoneIana || null,
    serviceRef: a.serviceId ? scopedRef(companyId, a.serviceId) : null,
    customerRef: a.customerId ? scopedRef(companyId, a.customerId) : null,
    createdAt: dateOrNull(a.createDate),
    updatedAt: dateOrNull(a.lastModifiedOn),
    raw: a,
  };
}

/**
 * `availableTimes[]` as slots inside [fromMs, toMs): one slot per start and end, `available` = the
 * sum of `availableBookings` over the resources (and locations) free then. Sorted by start.
 */
export function toTimeSlots(times: readonly AvailableTime[], serviceRef: string, fromMs: number, toMs: number): UnifiedTimeSlot[] {
  const slots = new Map<string, UnifiedTimeSlot>();
  for (const t of times) {
    const startsAt = new Date(t.startDateTime);
    const endsAt = new Date(t.endDateTime);
    if (startsAt.getTime() < fromMs || startsAt.getTime() >= toMs) continue;
    const key = `${startsAt.getTime()}/${endsAt.getTime()}`;
    const slot = slots.get(key) ?? {
      startsAt,
      endsAt,
      serviceRef,
      available: null,
    };
    if (typeof t.availableBookings === 'number') slot.available = (slot.available ?? 0) + t.availableBookings;
    slots.set(key, slot);
  }
  return [...slots.values()].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.endsAt.getTime() - b.endsAt.getTime());
}

/** `YYYY-MM-DD` of an instant in UTC. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Local-date bounds (`startDate`/`endDate`, inclusive) that surely contain every appointment starting
 * in [lower, upper): the platform compares them with the location's local date, which is within a
 * day of the UTC date, so the UTC dates are widened by a day each side. Filter exactly afterwards.
 */
export function localDateBounds(lower: Date | undefined, upper: Date | undefined): { startDate?: string; endDate?: string } {
  return {
    startDate: lower ? utcDate(lower.getTime() - DAY_MS) : undefined,
    endDate: upper ? utcDate(upper.getTime() + DAY_MS) : undefined,
  };
}

/**
 * Date windows of at most `maxDays` days (inclusive) covering the local dates of [fromMs, toMs),
 * widened by a day each side like `localDateBounds`.
 */
export function dateWindows(fromMs: number, toMs: number, maxDays: number): Array<{ startDate: string; endDate: string }> {
  const first = Date.parse(`${utcDate(fromMs - DAY_MS)}T00:00:00Z`);
  const last = Date.parse(`${utcDate(toMs + DAY_MS)}T00:00:00Z`);
  const out: Array<{ startDate: string; endDate: string }> = [];
  for (let start = first; start <= last; start += maxDays * DAY_MS) {
    out.push({
      startDate: utcDate(start),
      endDate: utcDate(Math.min(last, start + (maxDays - 1) * DAY_MS)),
    });
  }
  return out;
}

/** An instant as OnSched takes it (ISO 8601 with an offset, whole seconds): `2025-03-11T14:00:00Z`. */
export function toOnSchedDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
