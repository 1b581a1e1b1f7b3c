import { formatInZone, localDate } from '../framework/seed.js';
import type { Resource, User } from './model.js';
import { localYmd, workingWindows } from './seed.js';
import type { DayScheduleState } from './state.js';

/**
 * Slot rules of dayschedule.md §3.4–§3.5: a host serves a resource inside its weekly working
 * windows (in the host's time zone); a one-on-one or round-robin slot is free when the host has no
 * confirmed or pending booking overlapping it; a group slot keeps `capacity` seats for bookings of
 * the same resource at the same times.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Whether [start, end) lies inside one working window of `user` on the local day of `start`. */
export function withinHours(user: User, start: number, end: number): boolean {
  const [y, m, d] = localYmd(user.time_zone, start);
  return workingWindows(user, y, m, d).some(([ws, we]) => start >= ws && end <= we);
}

/**
 * Seats left for `resource` with host `hostId` over [start, end): 0 when another booking of the host
 * overlaps (except same-time bookings of the same group resource, which share its capacity).
 */
export function seatsLeft(state: DayScheduleState, resource: Resource, hostId: number, start: number, end: number, excludeBookingId?: string): number {
  let used = 0;
  for (const b of state.data.bookings) {
    if (b.org_id !== resource.org_id || b.host_user_id !== hostId || b.status === 'canceled') continue;
    if (b.booking_id === excludeBookingId || b.end_at <= start || b.start_at >= end) continue;
    const sameGroupSlot = resource.event_type === 'group' && b.resource_id === resource.id && b.start_at === start && b.end_at === end;
    if (!sameGroupSlot) return 0;
    used += b.invitees.filter((i) => i.status !== 'canceled').length;
  }
  return Math.max(0, resource.capacity - used);
}

/** The §3.4 create/reschedule rule: host serves the resource, slot in the future, in hours and free. */
export function slotBookable(
  state: DayScheduleState,
  resource: Resource,
  host: User,
  start: number,
  end: number,
  seats: number,
  excludeBookingId?: string,
): boolean {
  if (!resource.is_enabled || !resource.hosts.includes(host.user_id)) return false;
  if (start <= state.clock.now() || end <= start) return false;
  if (!withinHours(host, start, end)) return false;
  return seatsLeft(state, resource, host.user_id, start, end, excludeBookingId) >= seats;
}

export interface OpenSlot {
  start: number;
  available: number;
  users: number[];
}

/**
 * Free future slots of `resource` starting in [fromMs, toMs), stepping by `minutes` from each
 * working-window start, merged across hosts and sorted by time.
 */
export function openSlots(state: DayScheduleState, resource: Resource, hostIds: number[], fromMs: number, toMs: number, minutes: number): OpenSlot[] {
  const now = state.clock.now();
  const byStart = new Map<number, OpenSlot>();
  for (const hostId of hostIds) {
    const host = state.user(resource.org_id, hostId);
    if (!host || !resource.is_enabled) continue;
    const [y, m, d] = localYmd(host.time_zone, fromMs);
    for (let k = 0; ; k++) {
      const day = new Date(Date.UTC(y, m - 1, d + k));
      if (day.getTime() > toMs + DAY_MS) break;
      for (const [ws, we] of workingWindows(host, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())) {
        for (let s = ws; s + minutes * MINUTE_MS <= we; s += minutes * MINUTE_MS) {
          if (s < fromMs || s >= toMs || s <= now) continue;
          const seats = seatsLeft(state, resource, hostId, s, s + minutes * MINUTE_MS);
          if (seats <= 0) continue;
          const slot = byStart.get(s) ?? { start: s, available: 0, users: [] };
          slot.available += resource.event_type === 'group' ? seats : 1;
          slot.users.push(hostId);
          byStart.set(s, slot);
        }
      }
    }
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** The §3.5 answer: slots grouped by local date of the requested zone, times with offsets. */
export function availabilityBody(resource: Resource, slots: OpenSlot[], timeZone: string, minutes: number) {
  const days = new Map<string, Array<{ time: string; available: number; users: number[] }>>();
  for (const s of slots) {
    const date = localDate(timeZone, s.start);
    const hours = days.get(date) ?? [];
    hours.push({ time: formatInZone(timeZone, s.start), available: s.available, users: [...s.users].sort((a, b) => a - b) });
    days.set(date, hours);
  }
  return {
    slots: [...days.entries()].map(([date, hours]) => ({ date, capacity: resource.capacity, hours })),
    time_zone: timeZone,
    duration: minutes,
  };
}

/** The earliest free slot of `resource` starting at or after `fromMs` (searched up to 60 days). */
export function firstOpenSlot(state: DayScheduleState, resource: Resource, fromMs: number, minutes: number): OpenSlot | null {
  for (let week = 0; week < 9; week++) {
    const from = fromMs + week * 7 * DAY_MS;
    const found = openSlots(state, resource, resource.hosts, from, from + 7 * DAY_MS, minutes);
    if (found.length > 0) return found[0];
  }
  return null;
}
