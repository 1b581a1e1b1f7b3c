import { parseInstant, parseYmd } from '../framework/util.js';
import type { Route } from '../framework/types.js';
import { withCaller } from './auth.js';
import { type NewInvitee, cancelBooking, createBooking, rescheduleBooking } from './booking-ops.js';
import {
  type Json,
  badObjectId,
  conflict,
  dsError,
  isEmail,
  isNonEmptyString,
  isObjectId,
  isTimeZone,
  listPage,
  notFound,
  readBody,
  readPaging,
  validation,
} from './http.js';
import { BOOKING_STATUSES, type BookingStatus, type Location, type Question, durationMinutes } from './model.js';
import { slotBookable } from './slots.js';
import type { DayScheduleState } from './state.js';
import { bookingDetailView, bookingView } from './views.js';
import type { TriggerHub } from './webhooks.js';

/** `/v1/bookings` of dayschedule.md §3.4: list, get, create, update (cancel, reschedule), delete. */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const NOT_AVAILABLE = 'Selected slot is not available';

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a create body; returns class-validator style messages. */
function validateCreate(b: Json): string[] {
  const errors: string[] = [];
  if (!isPlainObject(b.resource) || !isObjectId(b.resource.resource_id)) errors.push('resource.resource_id must be a mongodb id');
  if (!isPlainObject(b.host) || !Number.isInteger(b.host.user_id)) errors.push('host.user_id must be an integer number');
  const start = parseInstant(b.start_at);
  if (!start) errors.push('start_at must be a valid ISO 8601 date string');
  if (b.end_at !== undefined) {
    const end = parseInstant(b.end_at);
    if (!end) errors.push('end_at must be a valid ISO 8601 date string');
    else if (start && end.getTime() <= start.getTime()) errors.push('end_at must be after start_at');
  }
  if (b.duration !== undefined) {
    const d = b.duration;
    if (!isPlainObject(d) || (d.type !== 'minutes' && d.type !== 'hours') || !Number.isInteger(d.value) || (d.value as number) <= 0) {
      errors.push('duration must be an object with type minutes or hours and a positive integer value');
    }
  }
  if (!isPlainObject(b.location)) errors.push('location must be an object');
  else {
    for (const k of ['type', 'name', 'join_url', 'address']) {
      if (b.location[k] !== undefined && typeof b.location[k] !== 'string') errors.push(`location.${k} must be a string`);
    }
  }
  if (!Array.isArray(b.invitees) || b.invitees.length === 0) errors.push('invitees must contain at least 1 elements');
  else {
    b.invitees.forEach((inv: unknown, i: number) => {
      if (!isPlainObject(inv)) {
        errors.push(`invitees.${i} must be an object`);
        return;
      }
      if (!isNonEmptyString(inv.name)) errors.push(`invitees.${i}.name should not be empty`);
      if (!isEmail(inv.email)) errors.push(`invitees.${i}.email must be an email`);
      if (inv.time_zone !== undefined && !isTimeZone(inv.time_zone)) errors.push(`invitees.${i}.time_zone must be a valid IANA time zone`);
      if (inv.questions !== undefined && (!Array.isArray(inv.questions) || !inv.questions.every(isPlainObject))) {
        errors.push(`invitees.${i}.questions must be an array of objects`);
      }
      if (inv.guests !== undefined && (!Array.isArray(inv.guests) || !inv.guests.every(isEmail))) {
        errors.push(`invitees.${i}.guests must be an array of emails`);
      }
    });
  }
  if (b.time_zone !== undefined && !isTimeZone(b.time_zone)) errors.push('time_zone must be a valid IANA time zone');
  if (b.description !== undefined && typeof b.description !== 'string') errors.push('description must be a string');
  return errors;
}

/** The known string fields of a body `location`; unknown fields are ignored (README §3). */
function pickLocation(given: Json): Partial<Location> {
  const out: Partial<Location> = {};
  for (const k of ['type', 'name', 'join_url', 'address'] as const) if (typeof given[k] === 'string') out[k] = given[k] as string;
  return out;
}

export function bookingRoutes(state: DayScheduleState, hub: TriggerHub): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/bookings',
      handler: withCaller(state, (req, caller) => {
        const q = req.query;
        const errors: string[] = [];
        const paging = readPaging(q, errors);
        const start = q.get('start');
        const end = q.get('end');
        const startYmd = start === null ? null : parseYmd(start);
        const endYmd = end === null ? null : parseYmd(end);
        if (start !== null && !startYmd) errors.push('start must be a valid date (YYYY-MM-DD)');
        if (end !== null && !endYmd) errors.push('end must be a valid date (YYYY-MM-DD)');
        const status = q.get('status');
        if (status !== null && !BOOKING_STATUSES.includes(status as BookingStatus)) {
          errors.push(`status must be one of the following values: ${BOOKING_STATUSES.join(', ')}`);
        }
        const resourceId = q.get('resource_id');
        if (resourceId !== null && !isObjectId(resourceId)) errors.push('resource_id must be a mongodb id');
        if (errors.length) return validation(errors);
        const from = startYmd ? Date.UTC(startYmd.y, startYmd.m - 1, startYmd.d) : -Infinity;
        const to = endYmd ? Date.UTC(endYmd.y, endYmd.m - 1, endYmd.d) + DAY_MS : Infinity;
        const source = q.get('source');
        const items = state.data.bookings.filter(
          (b) =>
            b.org_id === caller.orgId &&
            b.start_at >= from &&
            b.start_at < to &&
            (source === null || b.source === source) &&
            (status === null || b.status === status) &&
            (resourceId === null || b.resource_id === resourceId),
        );
        return listPage(items, paging, 'bookings', (b) => bookingView(state, b));
      }),
    },
    {
      method: 'GET',
      path: '/v1/bookings/:booking_id',
      handler: withCaller(state, (req, caller) => {
        const bad = badObjectId('booking_id', req.params.booking_id);
        if (bad) return bad;
        const booking = state.booking(caller.orgId, req.params.booking_id);
        return booking ? { status: 200, body: bookingDetailView(state, booking) } : notFound('Booking not found');
      }),
    },
    {
      method: 'POST',
      path: '/v1/bookings',
      handler: withCaller(state, (req, caller) => {
        const read = readBody(req);
        if (!read.ok) return read.response;
        const b = read.body;
        const errors = validateCreate(b);
        if (errors.length) return validation(errors);
        const resource = state.resource(caller.orgId, (b.resource as Json).resource_id as string);
        if (!resource) return notFound('Resource not found');
        const host = state.user(caller.orgId, (b.host as Json).user_id as number);
        if (!host) return notFound('User not found');
        const start = (parseInstant(b.start_at) as Date).getTime();
        const duration = b.duration as { type: string; value: number } | undefined;
        const end =
          b.end_at !== undefined ? (parseInstant(b.end_at) as Date).getTime() : start + durationMinutes(duration ?? resource.durations[0]) * MINUTE_MS;
        const invitees = (b.invitees as Json[]).map((i): NewInvitee => ({
          name: (i.name as string).trim(),
          email: (i.email as string).trim(),
          time_zone: i.time_zone as string | undefined,
          questions: i.questions as Question[] | undefined,
          guests: i.guests as string[] | undefined,
        }));
        const seats = resource.event_type === 'group' ? invitees.length : 1;
        if (!slotBookable(state, resource, host, start, end, seats)) return conflict(NOT_AVAILABLE);
        const booking = createBooking(state, {
          resource,
          host,
          start,
          end,
          invitees,
          timeZone: b.time_zone as string | undefined,
          location: pickLocation(b.location as Json),
          description: b.description as string | undefined,
          via: 'API',
        });
        return { status: 201, body: bookingDetailView(state, booking), after: hub.later('event_scheduled', booking) };
      }),
    },
    {
      method: 'PUT',
      path: '/v1/bookings/:booking_id',
      handler: withCaller(state, (req, caller) => {
        const bad = badObjectId('booking_id', req.params.booking_id);
        if (bad) return bad;
        const read = readBody(req);
        if (!read.ok) return read.response;
        const b = read.body;
        const errors: string[] = [];
        if (b.status !== undefined && b.status !== 'canceled') errors.push('status must be one of the following values: canceled');
        if (b.cancel_reason !== undefined && b.cancel_reason !== null && typeof b.cancel_reason !== 'string') {
          errors.push('cancel_reason must be a string');
        }
        const start = b.start_at === undefined ? null : parseInstant(b.start_at);
        const end = b.end_at === undefined ? null : parseInstant(b.end_at);
        if (b.start_at !== undefined && !start) errors.push('start_at must be a valid ISO 8601 date string');
        if (b.end_at !== undefined && !end) errors.push('end_at must be a valid ISO 8601 date string');
        if (b.end_at !== undefined && b.start_at === undefined) errors.push('start_at must be given with end_at');
        if (start && end && end.getTime() <= start.getTime()) errors.push('end_at must be after start_at');
        if (b.status !== undefined && b.start_at !== undefined) errors.push('status cannot be combined with start_at');
        if (b.description !== undefined && typeof b.description !== 'string') errors.push('description must be a string');
        if (b.status === undefined && b.start_at === undefined && b.end_at === undefined && b.description === undefined) {
          errors.push('status, start_at or description must be provided');
        }
        if (errors.length) return validation(errors);
        const booking = state.booking(caller.orgId, req.params.booking_id);
        if (!booking) return notFound('Booking not found');
        const owner = state.user(booking.org_id, state.org(booking.org_id)?.owner_user_id ?? 0);
        const actor = owner?.name ?? 'host';
        const now = state.clock.now();
        if (b.status === 'canceled') {
          if (booking.status === 'canceled') return conflict('Booking is already canceled');
          if (booking.start_at <= now) return dsError(400, 'Past bookings cannot be canceled');
          cancelBooking(state, booking, 'host', (b.cancel_reason as string | null | undefined) ?? null, actor);
          return { status: 200, body: bookingDetailView(state, booking), after: hub.later('event_canceled', booking) };
        }
        if (start) {
          if (booking.status === 'canceled') return conflict('Canceled bookings cannot be rescheduled');
          if (booking.start_at <= now) return dsError(400, 'Past bookings cannot be rescheduled');
          const resource = state.resource(booking.org_id, booking.resource_id);
          const host = state.user(booking.org_id, booking.host_user_id);
          const newEnd = end ? end.getTime() : start.getTime() + (booking.end_at - booking.start_at);
          const seats = booking.invitees.filter((i) => i.status !== 'canceled').length;
          const needed = resource?.event_type === 'group' ? seats : 1;
          if (!resource || !host || !slotBookable(state, resource, host, start.getTime(), newEnd, needed, booking.booking_id)) {
            return conflict(NOT_AVAILABLE);
          }
          rescheduleBooking(state, booking, start.getTime(), newEnd, actor);
        }
        if (typeof b.description === 'string') {
          booking.description = b.description;
          booking.updated_at = now;
        }
        return { status: 200, body: bookingDetailView(state, booking) };
      }),
    },
    {
      method: 'DELETE',
      path: '/v1/bookings/:booking_id',
      handler: withCaller(state, (req, caller) => {
        const bad = badObjectId('booking_id', req.params.booking_id);
        if (bad) return bad;
        const booking = state.booking(caller.orgId, req.params.booking_id);
        if (!booking) return notFound('Booking not found');
        state.data.bookings = state.data.bookings.filter((x) => x !== booking);
        return { status: 200, body: { message: 'Booking deleted successfully' } };
      }),
    },
  ];
}
