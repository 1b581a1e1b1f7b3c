import { BookingStatus } from '../enums.js';
import type { UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedService, UnifiedTimeSlot } from '../types.js';
import type { AppointmentRecord, BookingSlotRecord, BookingTemplateRecord, CustomerRecord, OrganizationRecord } from './schemas.js';

/** Pure mapping of bookingtime records into the unified model (contract §6), plus calendar arithmetic. */

// ---- refs ---------------------------------------------------------------------------------------

/**
 * bookingtime ids mean something only inside their organization (another organization's id is a
 * 404), so every ref but an organization's is `<organizationId>:<id>`.
 */
export const refOf = (organizationId: string, id: string) => `${organizationId}:${id}`;

/** Splits a ref of `refOf`; null when it is not one (ids are alphanumeric, so `:` only separates). */
export function parseRef(ref: string): { organizationId: string; id: string } | null {
  const m = /^([A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(ref);
  return m ? { organizationId: m[1], id: m[2] } : null;
}

// ---- records ------------------------------------------------------------------------------------

const text = (v: string | null | undefined) => (v ? v : null);
const num = (v: number | string | null | undefined) => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};

export function toOrganization(o: OrganizationRecord): UnifiedOrganization {
  return { ref: o.id, nativeId: o.id, name: o.name, timezone: o.timeZone ?? null, raw: o };
}

/** Booking template → Service: `duration` minutes; price only when `showPrice`. */
export function toService(organizationId: string, t: BookingTemplateRecord): UnifiedService {
  const amount = num(t.priceGross);
  return {
    ref: refOf(organizationId, t.id),
    nativeId: t.id,
    organizationRef: organizationId,
    name: t.name,
    description: text(t.description),
    durationMinutes: num(t.duration),
    price: t.showPrice && amount !== null && t.currency ? { amount, currency: t.currency } : null,
    raw: t,
  };
}

/** Customer: `phone` ← `mobile`, else `telephone`. */
export function toCustomer(organizationId: string, c: CustomerRecord): UnifiedCustomer {
  return {
    ref: refOf(c.organizationId || organizationId, c.id),
    nativeId: c.id,
    organizationRef: c.organizationId || organizationId,
    firstName: text(c.firstName),
    lastName: text(c.lastName),
    email: text(c.email),
    phone: text(c.mobile) ?? text(c.telephone),
    raw: c,
  };
}

/** `canceled` → CANCELED; otherwise CONFIRMED, or COMPLETED once the end has passed at `nowMs`. */
export function bookingStatus(canceled: boolean | null | undefined, endMs: number, nowMs: number): BookingStatus {
  if (canceled) return BookingStatus.CANCELED;
  return endMs <= nowMs ? BookingStatus.COMPLETED : BookingStatus.CONFIRMED;
}

/** Appointment → Booking: offsets resolved to UTC instants, the IANA `timeZone` kept. */
export function toBooking(organizationId: string, a: AppointmentRecord, nowMs: number): UnifiedBooking {
  const org = a.organizationId || organizationId;
  const startsAt = new Date(a.start);
  const endsAt = new Date(a.end);
  return {
    ref: refOf(org, a.id),
    nativeId: a.id,
    organizationRef: org,
    status: bookingStatus(a.canceled, endsAt.getTime(), nowMs),
    startsAt,
    endsAt,
    timezone: a.timeZone ?? null,
    serviceRef: a.bookingTemplateId ? refOf(org, a.bookingTemplateId) : null,
    customerRef: a.customer?.id ? refOf(org, a.customer.id) : null,
    createdAt: a.timestampAdd ? new Date(a.timestampAdd) : null,
    updatedAt: a.timestampEdit ? new Date(a.timestampEdit) : null,
    raw: a,
  };
}

/** Booking slot → TimeSlot: one place, lasting the template's `duration`. */
export function toTimeSlot(serviceRef: string, s: BookingSlotRecord, durationMinutes: number): UnifiedTimeSlot {
  const startsAt = new Date(s.timestamp);
  return { startsAt, endsAt: new Date(startsAt.getTime() + durationMinutes * 60_000), serviceRef, available: 1 };
}

// ---- calendar -----------------------------------------------------------------------------------

export interface LocalDate {
  y: number;
  /** 1–12 */
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `instantMs` in `timeZone` (calendar routes are local to the organization, §3.4). */
export function localDate(timeZone: string, instantMs: number): LocalDate {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}

/**
 * The local months (year, month) that cover [fromMs, toMs) in `timeZone`, in order, at most `max`.
 * Empty when the range is empty.
 */
export function monthsCovering(timeZone: string, fromMs: number, toMs: number, max: number): Array<{ y: number; m: number }> {
  if (toMs <= fromMs) return [];
  const first = localDate(timeZone, fromMs);
  const last = localDate(timeZone, toMs - 1);
  const out: Array<{ y: number; m: number }> = [];
  let { y, m } = first;
  while ((y < last.y || (y === last.y && m <= last.m)) && out.length < max) {
    out.push({ y, m });
    y += Math.floor(m / 12);
    m = (m % 12) + 1;
  }
  return out;
}

/** The calendar month after (y, m). */
export const nextMonth = ({ y, m }: { y: number; m: number }) => (m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 });

/** Local time runs at most 14 hours ahead of UTC (UTC+14), so a local midnight is never earlier than this before the UTC one. */
const MAX_AHEAD_OF_UTC_MS = 14 * 3_600_000;

/**
 * Where the local month (y, m) of a calendar range ends, as an instant (exclusive): one second after
 * the range's `rangeEnd` (its last second, §3) when the platform sent one, else the earliest instant
 * at which that month can end in any time zone. Every appointment starting before it lies in this
 * month or an earlier one.
 */
export function monthEndMs(range: { rangeEnd?: string | null }, y: number, m: number): number {
  const sent = range.rangeEnd ? Date.parse(range.rangeEnd) : Number.NaN;
  if (Number.isFinite(sent)) return sent + 1_000;
  const next = nextMonth({ y, m });
  return Date.UTC(next.y, next.m - 1, 1) - MAX_AHEAD_OF_UTC_MS;
}

/** `instantMs` moved by `months` calendar months (UTC arithmetic; for bounds, not for calendar routes). */
export function addMonths(instantMs: number, months: number): number {
  const d = new Date(instantMs);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}
