import type { Clock } from '../framework/clock.js';
import { formatInZone, localDate, localParts, zonedToUtc } from '../framework/seed.js';
import type { Route } from '../framework/types.js';
import { parseYmd } from '../framework/util.js';
import type { Secure } from './auth.js';
import { fail, isUuid, ok, pathId, queryInt, queryUuid } from './http.js';
import type { Location, Resource, Service } from './model.js';
import type { OnSchedState } from './state.js';

/**
 * `GET /consumer/v1/availability/{serviceId}/{startDate}/{endDate}` (contract §3.5): free future
 * start times per resource inside the location's business hours, for at most 31 days.
 */

/** Longest range, in days (inclusive), one call may ask for (§3.5, Assumed). */
export const MAX_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

export interface SlotQuery {
  service: Service;
  location: Location;
  resources: Resource[];
  /** `YYYY-MM-DD`, local dates of the location, inclusive. */
  startDate: string;
  endDate: string;
  /** Minutes. */
  duration: number;
  /** Minutes between start times. */
  interval: number;
  /** Military bounds (`900` = 09:00): starts at or after `startTime`, ends at or before `endTime`. */
  startTime: number | null;
  endTime: number | null;
  /** Only starts strictly after this instant (the emulator's now). */
  afterMs: number;
}

export interface FreeSlot {
  startMs: number;
  endMs: number;
  resource: Resource;
}

const military = (minutes: number) => Math.floor(minutes / 60) * 100 + (minutes % 60);

/** Free slots in time order (then resource order); a slot is free when no `IN`/`RS`/`BK` overlaps it. */
export function* freeSlots(state: OnSchedState, q: SlotQuery): Generator<FreeSlot> {
  const from = parseYmd(q.startDate) as { y: number; m: number; d: number };
  const days = Math.round((Date.parse(`${q.endDate}T00:00:00Z`) - Date.parse(`${q.startDate}T00:00:00Z`)) / DAY_MS) + 1;
  for (let i = 0; i < days; i++) {
    const day = new Date(Date.UTC(from.y, from.m - 1, from.d + i));
    const hours = q.location.hours[day.getUTCDay()];
    if (!hours) continue;
    for (let t = hours.open; t + q.duration <= hours.close; t += q.interval) {
      if (q.startTime !== null && military(t) < q.startTime) continue;
      if (q.endTime !== null && military(t + q.duration) > q.endTime) continue;
      const startMs = zonedToUtc(q.location.timezoneIana, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(t / 60), t % 60);
      if (startMs <= q.afterMs) continue;
      const endMs = startMs + q.duration * 60_000;
      for (const resource of q.resources) {
        if (state.resourceFree(resource.id, startMs, endMs)) yield { startMs, endMs, resource };
      }
    }
  }
}

/** The first free slot of `service` at `location` starting at or after `fromMs` (within 62 days), or null. */
export function firstFreeSlot(state: OnSchedState, service: Service, location: Location, fromMs: number): FreeSlot | null {
  const tz = location.timezoneIana;
  const it = freeSlots(state, {
    service,
    location,
    resources: state.resourcesFor(service, location.id),
    startDate: localDate(tz, fromMs),
    endDate: localDate(tz, fromMs + 62 * DAY_MS),
    duration: service.duration,
    interval: service.bookingInterval,
    startTime: null,
    endTime: null,
    afterMs: fromMs - 1,
  });
  const first = it.next();
  return first.done ? null : first.value;
}

function displayTime(tz: string, ms: number): string {
  const p = localParts(tz, ms);
  const h12 = p.hh % 12 === 0 ? 12 : p.hh % 12;
  return `${h12}:${String(p.mm).padStart(2, '0')}${p.hh < 12 ? 'am' : 'pm'}`;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

/** Military time 0–2400 with minutes below 60. */
function queryMilitary(value: number | null, name: string): number | null {
  if (value !== null && value % 100 >= 60) fail(400, `${name} must be a military time such as 930`);
  return value;
}

export function availabilityRoutes(state: OnSchedState, clock: Clock, secure: Secure): Route[] {
  return [
    {
      method: 'GET',
      path: '/consumer/v1/availability/:serviceId/:startDate/:endDate',
      handler: secure((req, company) => {
        const serviceId = pathId(req, 'serviceId');
        const { startDate, endDate } = req.params;
        if (!parseYmd(startDate)) fail(400, 'startDate must be a date YYYY-MM-DD');
        if (!parseYmd(endDate)) fail(400, 'endDate must be a date YYYY-MM-DD');
        const days = Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / DAY_MS) + 1;
        if (days < 1) fail(400, 'endDate must not be before startDate');
        if (days > MAX_RANGE_DAYS) fail(400, `The date range must not exceed ${MAX_RANGE_DAYS} days`);
        const locationId = queryUuid(req, 'locationId');
        const resourceId = queryUuid(req, 'resourceId');
        const resourceIdsRaw = req.query.get('resourceIds');
        const resourceIds = resourceIdsRaw ? resourceIdsRaw.split(',').map((s) => s.trim()) : null;
        if (resourceIds?.some((id) => !isUuid(id))) fail(400, 'resourceIds must be comma-separated UUIDs');
        const duration = queryInt(req, 'duration', 1, 1_440);
        const interval = queryInt(req, 'interval', 1, 1_440);
        const startTime = queryMilitary(queryInt(req, 'startTime', 0, 2_400), 'startTime');
        const endTime = queryMilitary(queryInt(req, 'endTime', 0, 2_400), 'endTime');
        const zone = req.query.get('timezoneName') || null;
        if (zone !== null && !validZone(zone)) fail(400, 'timezoneName must be an IANA time zone');

        const location = locationId ? state.location(company.id, locationId) : state.primaryLocation(company.id);
        if (!location) return fail(404, `Location ${locationId} not found`);
        const service = state.service(company.id, serviceId);
        if (!service) return fail(404, `Service ${serviceId} not found`);
        if (!state.offeredAt(service, location.id)) fail(404, `Service ${serviceId} is not offered at this location`);
        const wanted = [...(resourceId ? [resourceId] : []), ...(resourceIds ?? [])];
        for (const id of wanted) if (!state.resource(company.id, id)) fail(404, `Resource ${id} not found`);
        const resources = state.resourcesFor(service, location.id).filter((r) => wanted.length === 0 || wanted.includes(r.id));

        const tz = zone ?? location.timezoneIana;
        const d = duration ?? service.duration;
        const availableTimes = [
          ...freeSlots(state, {
            service,
            location,
            resources,
            startDate,
            endDate,
            duration: d,
            interval: interval ?? service.bookingInterval,
            startTime,
            endTime,
            afterMs: clock.now(),
          }),
        ].map((s) => {
          const p = localParts(tz, s.startMs);
          return {
            date: localDate(tz, s.startMs),
            time: p.hh * 100 + p.mm,
            displayTime: displayTime(tz, s.startMs),
            startDateTime: formatInZone(tz, s.startMs),
            endDateTime: formatInZone(tz, s.endMs),
            duration: d,
            resourceId: s.resource.id,
            availableBookings: 1,
            availableCapacity: service.maxCapacity,
            allowableBookings: 1,
            allowableCapacity: service.maxCapacity,
          };
        });
        return ok({
          object: 'availability',
          serviceId: service.id,
          serviceName: service.name,
          serviceDuration: service.duration,
          locationId: location.id,
          startDate,
          endDate,
          timezoneName: tz,
          firstAvailableDate: availableTimes[0]?.date ?? null,
          availableDays: [],
          availableTimes,
        });
      }, true),
    },
  ];
}
