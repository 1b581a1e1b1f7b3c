import type { Route } from '../framework/types.js';
import { parseInstant } from '../framework/util.js';
import { accountFilter, requireAccount } from './auth.js';
import { withinHours } from './availability.js';
import { ApiError, idListParam, instantParam, isObject, listParam, paged, pageParams, primaryData, readDocument, selfUrl, single, toOne } from './jsonapi.js';
import { BOOKING_STATUSES, type Booking, newestFirst, OBJECT_ID, type Participant } from './model.js';
import { renderBooking } from './render.js';
import { apiRoute, type Runtime } from './runtime.js';

/**
 * Contract §3.4: list (every filter), get, create (`POST /v2/bookings`, 201 + `Location`) and
 * cancel (`POST /v2/bookings/{id}/cancel`). Check order (README §3): 401 → 415/400 → 403 → 422
 * (document) → 404 (service, resource) → 422 (business rules) → 409 (time not free).
 */

const MINUTE_MS = 60_000;

interface BookingInput {
  serviceId: string;
  resourceId: string | undefined;
  accountId: string | undefined;
  start: number;
  customers: Array<{ customerId: string; spaces: number }>;
}

function bookingInput(data: Record<string, unknown>): BookingInput {
  const attributes = (data.attributes ?? {}) as Record<string, unknown>;
  const at = (path: string) => ({ pointer: `/data/attributes/${path}` });
  const accountId = toOne(data, 'account', 'accounts');
  const serviceId = toOne(data, 'service', 'services');
  if (serviceId === undefined) throw new ApiError(422, 'relationships.service is required.', { pointer: '/data/relationships/service' });
  const resourceId = toOne(data, 'resource', 'resources');
  const start = parseInstant(attributes.start);
  if (!start) throw new ApiError(422, 'start is required and must be an ISO 8601 date-time with an offset.', at('start'));
  const list = attributes.customers;
  if (!Array.isArray(list) || list.length === 0) throw new ApiError(422, 'customers must be a non-empty array.', at('customers'));
  const customers = list.map((entry, i) => {
    if (!isObject(entry)) throw new ApiError(422, 'Each customer must be an object.', at(`customers/${i}`));
    if (typeof entry.customer_id !== 'string' || !OBJECT_ID.test(entry.customer_id)) {
      throw new ApiError(422, 'customer_id must be a 24-character hexadecimal id.', at(`customers/${i}/customer_id`));
    }
    const spaces = entry.spaces ?? 1;
    if (typeof spaces !== 'number' || !Number.isInteger(spaces) || spaces < 1) {
      throw new ApiError(422, 'spaces must be a positive integer.', at(`customers/${i}/spaces`));
    }
    return { customerId: entry.customer_id, spaces };
  });
  customers.forEach((c, i) => {
    if (customers.findIndex((o) => o.customerId === c.customerId) !== i) {
      throw new ApiError(422, 'A customer may appear only once.', at(`customers/${i}/customer_id`));
    }
  });
  return { serviceId, resourceId, accountId, start: start.getTime(), customers };
}

export function bookingRoutes(rt: Runtime): Route[] {
  const { state } = rt;
  const visible = (id: string, canSee: (account: string) => boolean): Booking => {
    const booking = state.bookings.get(id);
    if (!booking || !canSee(booking.accountId)) throw new ApiError(404, 'No booking with that id.');
    return booking;
  };
  return [
    {
      method: 'GET',
      path: '/v2/bookings',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const q = req.query;
        const accounts = accountFilter(caller, q);
        const range = {
          startGte: instantParam(q, 'filter[start_gte]'),
          endLte: instantParam(q, 'filter[end_lte]'),
          createdGte: instantParam(q, 'filter[created_gte]'),
          createdLte: instantParam(q, 'filter[created_lte]'),
          updatedGte: instantParam(q, 'filter[updated_gte]'),
          updatedLte: instantParam(q, 'filter[updated_lte]'),
        };
        const statuses = listParam(q, 'filter[status]');
        if (statuses?.some((s) => !(BOOKING_STATUSES as readonly string[]).includes(s))) {
          throw new ApiError(400, `filter[status] must list values among ${BOOKING_STATUSES.join(', ')}.`, { parameter: 'filter[status]' });
        }
        const customerIds = idListParam(q, 'filter[customer_id]');
        const serviceIds = idListParam(q, 'filter[service_id]');
        const page = pageParams(q);
        const items = newestFirst(
          [...state.bookings.values()].filter(
            (b) =>
              accounts.includes(b.accountId) &&
              (range.startGte === null || b.start >= range.startGte) &&
              (range.endLte === null || b.end <= range.endLte) &&
              (range.createdGte === null || b.created >= range.createdGte) &&
              (range.createdLte === null || b.created <= range.createdLte) &&
              (range.updatedGte === null || b.updated >= range.updatedGte) &&
              (range.updatedLte === null || b.updated <= range.updatedLte) &&
              (statuses === null || statuses.includes(b.status)) &&
              (customerIds === null || b.participants.some((p) => customerIds.includes(p.customerId))) &&
              (serviceIds === null || serviceIds.includes(b.serviceId)),
          ),
        );
        return paged(req, origin, page, items, (b) => renderBooking(origin, state, b));
      }),
    },
    {
      method: 'GET',
      path: '/v2/bookings/:id',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const booking = visible(req.params.id, caller.canSee);
        return single(renderBooking(origin, state, booking), selfUrl(req, origin));
      }),
    },
    {
      method: 'POST',
      path: '/v2/bookings',
      handler: apiRoute(rt, ({ req, caller, origin, now }) => {
        const data = primaryData(readDocument(req) as Record<string, unknown>, 'bookings');
        const accountRel = toOne(data, 'account', 'accounts');
        if (accountRel !== undefined) requireAccount(caller, accountRel, { pointer: '/data/relationships/account/data/id' });
        const input = bookingInput(data);
        if (input.start <= now) throw new ApiError(422, 'start must be in the future.', { pointer: '/data/attributes/start' });
        const service = state.services.get(input.serviceId);
        if (!service || !caller.canSee(service.accountId))
          throw new ApiError(404, 'No service with that id.', { pointer: '/data/relationships/service/data/id' });
        let resources = state.resourcesOf(service);
        if (input.resourceId !== undefined) {
          const resource = state.resources.get(input.resourceId);
          if (!resource || !caller.canSee(resource.accountId))
            throw new ApiError(404, 'No resource with that id.', { pointer: '/data/relationships/resource/data/id' });
          if (!service.resourceIds.includes(resource.id)) {
            throw new ApiError(422, 'The resource does not provide this service.', { pointer: '/data/relationships/resource/data/id' });
          }
          resources = [resource];
        }
        if (input.accountId !== undefined && input.accountId !== service.accountId) {
          throw new ApiError(422, 'The account does not match the service.', { pointer: '/data/relationships/account/data/id' });
        }
        input.customers.forEach((c, i) => {
          const customer = state.customers.get(c.customerId);
          if (!customer || customer.accountId !== service.accountId) {
            throw new ApiError(422, 'The customer does not belong to the service’s account.', { pointer: `/data/attributes/customers/${i}/customer_id` });
          }
        });
        const spaces = input.customers.reduce((sum, c) => sum + c.spaces, 0);
        if (spaces > service.maxOccupancy) {
          throw new ApiError(422, `The service holds at most ${service.maxOccupancy} space(s) per booking.`, { pointer: '/data/attributes/customers' });
        }
        const account = state.accounts.get(service.accountId);
        const end = input.start + service.durations[0] * MINUTE_MS;
        const resource =
          account && withinHours(account, input.start, end) ? resources.find((r) => state.overlapping(r.id, input.start, end).length === 0) : undefined;
        if (!account || !resource) throw new ApiError(409, 'The requested time is not available.', { pointer: '/data/attributes/start' });
        const participants: Participant[] = input.customers.map((c) => ({
          customerId: c.customerId,
          customerBookingId: state.newObjectId(now),
          spaces: c.spaces,
          status: 'No Status',
          timezone: state.customers.get(c.customerId)?.timezone ?? account.timezone,
          bookingSource: 'api',
          paid: false,
          totalPrice: service.price * c.spaces,
          created: now,
        }));
        const booking: Booking = {
          id: state.newObjectId(now),
          accountId: service.accountId,
          serviceId: service.id,
          resourceId: resource.id,
          start: input.start,
          end,
          status: 'confirmed',
          timezone: account.timezone,
          createdSource: 'api',
          lastModifiedSource: 'api',
          cancelledAt: null,
          participants,
          created: now,
          updated: now,
          seq: state.nextSeq(),
        };
        state.bookings.set(booking.id, booking);
        const body = renderBooking(origin, state, booking);
        const send = rt.hooks.bookingEvent('booking_created', booking);
        return { ...single(body, body.links.self, 201, { location: body.links.self }), after: send };
      }),
    },
    {
      method: 'POST',
      path: '/v2/bookings/:id/cancel',
      handler: apiRoute(rt, ({ req, caller, origin, now }) => {
        const doc = readDocument(req, true);
        if (doc?.meta !== undefined) {
          if (!isObject(doc.meta)) throw new ApiError(422, 'meta must be an object.', { pointer: '/meta' });
          if (doc.meta.reason !== undefined && typeof doc.meta.reason !== 'string') {
            throw new ApiError(422, 'meta.reason must be a string.', { pointer: '/meta/reason' });
          }
        }
        const booking = visible(req.params.id, caller.canSee);
        if (booking.status === 'cancelled') throw new ApiError(409, 'The booking is already cancelled.');
        if (booking.start <= now) throw new ApiError(422, 'The booking has already started.');
        cancelBooking(booking, now, 'api');
        const send = rt.hooks.bookingEvent('booking_cancelled', booking);
        return { ...single(renderBooking(origin, state, booking), `${origin}/v2/bookings/${booking.id}`), after: send };
      }),
    },
  ];
}

/** Marks a booking cancelled at `now` (status, `cancelled_at`, `updated`, source). */
export function cancelBooking(booking: Booking, now: number, source: string): void {
  booking.status = 'cancelled';
  booking.cancelledAt = now;
  booking.updated = now;
  booking.lastModifiedSource = source;
}
