import { localDate, localParts, zonedToUtc } from '../framework/seed.js';
import type { Booking, Company, PlatformData, Service } from './state.js';

/**
 * Availability rules of §3.5: 15-minute grid inside the company's business hours (its own time
 * zone); a slot is free when the employee has no other non-cancelled booking overlapping it.
 */

export const SLOT_STEP_MINUTES = 15;
export const MAX_SLOT_RANGE_MS = 31 * 86_400_000;

/** True when [start, start + duration) is a grid slot inside the opening hours of its local day. */
export function withinHours(company: Company, startMs: number, durationMinutes: number): boolean {
  if (startMs % 60_000 !== 0) return false;
  const p = localParts(company.timezone, startMs);
  if (p.mm % SLOT_STEP_MINUTES !== 0) return false;
  const hours = company.hours[p.weekday];
  if (!hours) return false;
  const minute = p.hh * 60 + p.mm;
  return minute >= hours[0] && minute + durationMinutes <= hours[1];
}

/** True when the employee has no non-cancelled booking overlapping [start, end) (other than `ignoreId`). */
export function employeeFree(bookings: readonly Booking[], employeeId: string, start: number, end: number, ignoreId?: string): boolean {
  return !bookings.some((b) => b.employeeId === employeeId && b.id !== ignoreId && b.status !== 'cancelled' && b.start < end && start < b.end);
}

export interface Slot {
  start: number;
  end: number;
  employeeId: string;
}

/**
 * Free slots of `service` whose start is in [fromMs, toMs) and after `nowMs`, for `employeeIds`,
 * sorted by start then employee id.
 */
export function freeSlots(
  data: PlatformData,
  company: Company,
  service: Service,
  employeeIds: readonly string[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): Slot[] {
  const out: Slot[] = [];
  const durationMs = service.duration * 60_000;
  const bookings = data.bookings.filter((b) => b.companyId === company.id);
  const first = localParts(company.timezone, fromMs);
  const lastDate = localDate(company.timezone, toMs);
  for (let i = 0; ; i++) {
    const day = new Date(Date.UTC(first.y, first.m - 1, first.d + i));
    const ymd = day.toISOString().slice(0, 10);
    if (ymd > lastDate) break;
    const hours = company.hours[day.getUTCDay()];
    if (!hours) continue;
    for (let minute = hours[0]; minute + service.duration <= hours[1]; minute += SLOT_STEP_MINUTES) {
      const start = zonedToUtc(company.timezone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(minute / 60), minute % 60);
      if (start < fromMs || start >= toMs || start <= nowMs) continue;
      // A local time that does not exist (DST gap) maps elsewhere; keep only exact grid matches.
      if (!withinHours(company, start, service.duration)) continue;
      for (const employeeId of employeeIds) {
        if (employeeFree(bookings, employeeId, start, start + durationMs)) out.push({ start, end: start + durationMs, employeeId });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start || a.employeeId.localeCompare(b.employeeId));
}
