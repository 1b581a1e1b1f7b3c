import type { Clock } from '../framework/clock.js';
import { formatInZone, localParts, zonedToUtc } from '../framework/seed.js';
import type { Range } from './calendar.js';
import { type BookingtimeState, type BookingTemplate, hashedId, type Organization, PREFIX } from './state.js';

/**
 * Booking slots (contract §3.5). A slot is a start on the 30-minute grid inside the organization's
 * business hours with the first employee of the template (in preference order) who is free for the
 * whole duration. Only future slots count: start ≥ now + `bookingLeadTime` minutes, local date
 * between today + `bookingDayEarliest` and today + `bookingDayLatest` days. The id is a hash of
 * (template, start, resource combination), so it is stable, and it stays usable while that
 * combination is free and the start still allowed.
 */

export const SLOT_GRID_MINUTES = 30;
const DAY_MS = 86_400_000;

export interface Slot {
  id: string;
  templateId: string;
  startMs: number;
  resourceIds: string[];
}

export function slotKey(templateId: string, startMs: number, resourceIds: string[]): string {
  return `${templateId}|${startMs}|${resourceIds.join(',')}`;
}

export function renderSlot(org: Organization, s: Slot) {
  return { class: 'BOOKING_SLOT', id: s.id, timestamp: formatInZone(org.timeZone, s.startMs), bookingResourceCombination: s.resourceIds };
}

export class SlotEngine {
  /** Every slot id handed out, so `appointment/add` can resolve it (survives reset: ids are pure). */
  private readonly known = new Map<string, Slot>();

  constructor(
    private readonly state: BookingtimeState,
    private readonly clock: Clock,
  ) {}

  private makeSlot(templateId: string, startMs: number, resourceIds: string[]): Slot {
    const slot = { id: hashedId(PREFIX.bookingSlot, slotKey(templateId, startMs, resourceIds)), templateId, startMs, resourceIds };
    this.known.set(slot.id, slot);
    return slot;
  }

  resolve(id: string): Slot | undefined {
    return this.known.get(id);
  }

  /** Busy intervals per employee: the organization's non-cancelled appointments, minus `exceptId`. */
  private busy(orgId: string, exceptId?: string): Map<string, Array<[number, number]>> {
    const out = new Map<string, Array<[number, number]>>();
    for (const a of this.state.appointments.values()) {
      if (a.organizationId !== orgId || a.canceled || a.id === exceptId) continue;
      for (const r of a.resourceIds) {
        const list = out.get(r) ?? [];
        list.push([a.startMs, a.endMs]);
        out.set(r, list);
      }
    }
    return out;
  }

  /** The bookable window of a template right now: earliest start (ms) and last bookable local date end (ms). */
  private window(org: Organization, t: BookingTemplate): { fromMs: number; toMs: number } {
    const now = this.clock.now();
    const today = localParts(org.timeZone, now);
    const midnight = (days: number) => {
      const d = new Date(Date.UTC(today.y, today.m - 1, today.d + days));
      return zonedToUtc(org.timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    };
    return {
      fromMs: Math.max(now + t.bookingLeadTime * 60_000, midnight(t.bookingDayEarliest)),
      toMs: midnight(t.bookingDayLatest + 1),
    };
  }

  /** Whether [start, start + duration) lies inside the business hours of its local day. */
  private inHours(org: Organization, t: BookingTemplate, startMs: number): boolean {
    const p = localParts(org.timeZone, startMs);
    const hours = org.hours[p.weekday];
    const minute = p.hh * 60 + p.mm;
    return !!hours && minute >= hours[0] && minute + t.duration <= hours[1] && minute % SLOT_GRID_MINUTES === 0;
  }

  /** Free slots of `t` whose start lies in `range`, ordered by start. */
  freeSlots(org: Organization, t: BookingTemplate, range: Range): Slot[] {
    const win = this.window(org, t);
    const from = Math.max(range.startMs, win.fromMs);
    const to = Math.min(range.endMs, win.toMs);
    if (from >= to) return [];
    const busy = this.busy(org.id);
    const out: Slot[] = [];
    const first = localParts(org.timeZone, from);
    for (let day = 0; ; day++) {
      const date = new Date(Date.UTC(first.y, first.m - 1, first.d + day));
      const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      if (zonedToUtc(org.timeZone, y, m, d) >= to) break;
      const hours = org.hours[date.getUTCDay()];
      if (!hours) continue;
      for (let minute = hours[0]; minute + t.duration <= hours[1]; minute += SLOT_GRID_MINUTES) {
        const start = zonedToUtc(org.timeZone, y, m, d, Math.floor(minute / 60), minute % 60);
        if (start < from || start >= to) continue;
        const resource = this.firstFree(t, start, busy);
        if (resource) out.push(this.makeSlot(t.id, start, [resource]));
      }
    }
    return out;
  }

  private firstFree(t: BookingTemplate, start: number, busy: Map<string, Array<[number, number]>>): string | null {
    const end = start + t.duration * 60_000;
    return t.resourceIds.find((r) => !(busy.get(r) ?? []).some(([s, e]) => s < end && start < e)) ?? null;
  }

  /** The first free slot of `t` from now on (and not before `notBeforeMs`), or null. */
  earliest(org: Organization, t: BookingTemplate, notBeforeMs = 0): Slot | null {
    const win = this.window(org, t);
    // Search week by week to keep each pass small.
    for (let from = Math.max(win.fromMs, notBeforeMs); from < win.toMs; from += 7 * DAY_MS) {
      const found = this.freeSlots(org, t, { startMs: from, endMs: Math.min(from + 7 * DAY_MS, win.toMs) });
      if (found.length) return found[0];
    }
    return null;
  }

  /**
   * Whether `slot` can be booked for template `t` now: allowed start, inside business hours, every
   * employee able to do `t` and free (ignoring appointment `exceptId`, for moves).
   */
  isBookable(org: Organization, t: BookingTemplate, slot: Slot, exceptId?: string): boolean {
    if (slot.templateId !== t.id || t.organizationId !== org.id) return false;
    const win = this.window(org, t);
    if (slot.startMs < win.fromMs || slot.startMs >= win.toMs || !this.inHours(org, t, slot.startMs)) return false;
    if (!slot.resourceIds.every((r) => t.resourceIds.includes(r))) return false;
    const busy = this.busy(org.id, exceptId);
    const end = slot.startMs + t.duration * 60_000;
    return slot.resourceIds.every((r) => !(busy.get(r) ?? []).some(([s, e]) => s < end && slot.startMs < e));
  }
}
