import { localParts, zonedToUtc } from '../framework/seed.js';
import type { Route } from '../framework/types.js';
import { accountFilter } from './auth.js';
import { ApiError, instantParam, oneParam, selfUrl } from './jsonapi.js';
import { type Account, apiTime, OBJECT_ID, type Resource, type Service } from './model.js';
import type { AppointeddState } from './state.js';
import { apiRoute, type Runtime } from './runtime.js';

/**
 * Contract §3.5: `GET /v2/availability/slots` — free, future slots of one service on a 30-minute
 * grid of the account's business hours, for a range of at most 42 days (v1 limit, documented).
 */

export const SLOT_STEP_MINUTES = 30;
export const MAX_RANGE_MS = 42 * 86_400_000;
const MINUTE_MS = 60_000;

/** Whether `[start, end)` lies inside one local day's business hours of the account. */
export function withinHours(account: Account, start: number, end: number): boolean {
  const s = localParts(account.timezone, start);
  const hours = account.hours[s.weekday];
  if (!hours || end <= start) return false;
  const dayStart = zonedToUtc(account.timezone, s.y, s.m, s.d);
  const startMinute = (start - dayStart) / MINUTE_MS;
  const endMinute = (end - dayStart) / MINUTE_MS;
  return startMinute >= hours[0] && endMinute <= hours[1];
}

export interface Slot {
  start: number;
  end: number;
  resource: Resource;
}

/**
 * Free slots of `service` on `resources`, starting after `now`, lying wholly within `[from, to]`,
 * ordered by start then by the service's resource order.
 */
export function freeSlots(state: AppointeddState, service: Service, resources: Resource[], from: number, to: number, now: number): Slot[] {
  const account = state.accounts.get(service.accountId) as Account;
  const duration = service.durations[0] * MINUTE_MS;
  const slots: Slot[] = [];
  const first = localParts(account.timezone, from);
  for (let day = Date.UTC(first.y, first.m - 1, first.d); ; day += 86_400_000) {
    const date = new Date(day);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (zonedToUtc(account.timezone, y, m, d) > to) break;
    const hours = account.hours[date.getUTCDay()];
    if (!hours) continue;
    for (let minute = hours[0]; minute + service.durations[0] <= hours[1]; minute += SLOT_STEP_MINUTES) {
      const start = zonedToUtc(account.timezone, y, m, d, Math.floor(minute / 60), minute % 60);
      const end = start + duration;
      if (start < from || end > to || start <= now) continue;
      for (const resource of resources) {
        if (state.overlapping(resource.id, start, end).length === 0) slots.push({ start, end, resource });
      }
    }
  }
  return slots;
}

export function availabilityRoutes(rt: Runtime): Route[] {
  const { state } = rt;
  return [
    {
      method: 'GET',
      path: '/v2/availability/slots',
      handler: apiRoute(rt, ({ req, caller, origin, now }) => {
        const accounts = accountFilter(caller, req.query);
        const serviceId = oneParam(req.query, 'filter[service_id]');
        if (serviceId === null || !OBJECT_ID.test(serviceId)) {
          throw new ApiError(400, 'filter[service_id] is required and must be a 24-character hexadecimal id.', { parameter: 'filter[service_id]' });
        }
        const resourceId = oneParam(req.query, 'filter[resource_id]');
        if (resourceId !== null && !OBJECT_ID.test(resourceId)) {
          throw new ApiError(400, 'filter[resource_id] must be a 24-character hexadecimal id.', { parameter: 'filter[resource_id]' });
        }
        const from = instantParam(req.query, 'filter[start]');
        const to = instantParam(req.query, 'filter[end]');
        if (from === null) throw new ApiError(400, 'filter[start] is required.', { parameter: 'filter[start]' });
        if (to === null) throw new ApiError(400, 'filter[end] is required.', { parameter: 'filter[end]' });
        if (to <= from) throw new ApiError(400, 'filter[end] must be after filter[start].', { parameter: 'filter[end]' });
        if (to - from > MAX_RANGE_MS) throw new ApiError(400, 'The range may span at most 42 days.', { parameter: 'filter[end]' });
        const service = state.services.get(serviceId);
        if (!service || !caller.canSee(service.accountId)) throw new ApiError(404, 'No service with that id.');
        let resources = state.resourcesOf(service);
        if (resourceId !== null) {
          const resource = state.resources.get(resourceId);
          if (!resource || !caller.canSee(resource.accountId)) throw new ApiError(404, 'No resource with that id.');
          if (!service.resourceIds.includes(resource.id)) {
            throw new ApiError(400, 'The resource does not provide this service.', { parameter: 'filter[resource_id]' });
          }
          resources = [resource];
        }
        const slots = accounts.includes(service.accountId) ? freeSlots(state, service, resources, from, to, now) : [];
        return {
          status: 200,
          body: {
            jsonapi: { version: '1.0' },
            data: slots.map((s) => ({
              type: 'availability-slots',
              id: `${service.id}.${s.resource.id}.${Math.floor(s.start / 1000)}`,
              attributes: { start: apiTime(s.start), end: apiTime(s.end), spaces_available: service.maxOccupancy },
              relationships: {
                service: { data: { type: 'services', id: service.id } },
                resource: { data: { type: 'resources', id: s.resource.id } },
              },
            })),
            links: { self: selfUrl(req, origin) },
          },
        };
      }),
    },
  ];
}
