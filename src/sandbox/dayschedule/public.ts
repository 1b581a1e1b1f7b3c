import { zonedToUtc } from '../framework/seed.js';
import type { Route } from '../framework/types.js';
import { parseYmd, safeEqual } from '../framework/util.js';
import { cancelInvitee } from './booking-ops.js';
import { badObjectId, conflict, dsError, isTimeZone, notFound, queryInt, readBody, validation } from './http.js';
import { durationMinutes } from './model.js';
import { availabilityBody, openSlots } from './slots.js';
import type { DayScheduleState } from './state.js';
import { bookingDetailView } from './views.js';
import type { TriggerHub } from './webhooks.js';

/** The public widget API of dayschedule.md §3.4–§3.5 (no credentials). */

const DAY_MS = 86_400_000;
/** §3.5: at most 31 days per availability request (inclusive of both ends). */
const MAX_RANGE_DAYS = 31;

export function publicRoutes(state: DayScheduleState, hub: TriggerHub): Route[] {
  return [
    {
      method: 'GET',
      path: '/v2/public/availability/:resource_id',
      handler: (req) => {
        const bad = badObjectId('resource_id', req.params.resource_id);
        if (bad) return bad;
        const q = req.query;
        const errors: string[] = [];
        const start = parseYmd(q.get('start'));
        const end = parseYmd(q.get('end'));
        if (!start) errors.push('start must be a valid date (YYYY-MM-DD)');
        if (!end) errors.push('end must be a valid date (YYYY-MM-DD)');
        const zone = q.get('time_zone');
        if (zone !== null && !isTimeZone(zone)) errors.push('time_zone must be a valid IANA time zone');
        const duration = queryInt(q, 'duration', errors, { min: 1, max: 1440 });
        const userId = queryInt(q, 'user_id', errors, { min: 1 });
        if (start && end) {
          const days = (Date.UTC(end.y, end.m - 1, end.d) - Date.UTC(start.y, start.m - 1, start.d)) / DAY_MS + 1;
          if (days < 1) errors.push('end must not be before start');
          else if (days > MAX_RANGE_DAYS) errors.push(`the date range must not exceed ${MAX_RANGE_DAYS} days`);
        }
        if (errors.length || !start || !end) return validation(errors);
        const resource = state.data.resources.find((r) => r.id === req.params.resource_id);
        if (!resource) return notFound('Resource not found');
        const offered = resource.durations.map(durationMinutes);
        const minutes = duration ?? offered[0];
        if (!offered.includes(minutes)) return validation([`duration must be one of the following values: ${offered.join(', ')}`]);
        if (userId !== undefined && !resource.hosts.includes(userId)) return notFound('User not found');
        const timeZone = zone ?? state.org(resource.org_id)?.timezone ?? 'UTC';
        const from = zonedToUtc(timeZone, start.y, start.m, start.d);
        const to = zonedToUtc(timeZone, end.y, end.m, end.d + 1);
        const slots = openSlots(state, resource, userId !== undefined ? [userId] : resource.hosts, from, to, minutes);
        return { status: 200, body: availabilityBody(resource, slots, timeZone, minutes) };
      },
    },
    {
      method: 'PUT',
      path: '/v2/public/bookings/:key/cancel',
      handler: (req) => {
        const read = readBody(req, true);
        if (!read.ok) return read.response;
        const reason = read.body.cancel_reason;
        if (reason !== undefined && reason !== null && typeof reason !== 'string') return validation(['cancel_reason must be a string']);
        const m = /^([0-9a-f]{24})_([A-Za-z0-9]+)$/.exec(req.params.key);
        const booking = m ? state.data.bookings.find((b) => b.invitees.some((i) => i.invitee_id === m[1])) : undefined;
        const invitee = booking?.invitees.find((i) => i.invitee_id === m?.[1]);
        if (!m || !booking || !invitee || !safeEqual(invitee.token, m[2])) return notFound('Booking not found');
        if (booking.status === 'canceled' || invitee.status === 'canceled') return conflict('Booking is already canceled');
        if (booking.start_at <= state.clock.now()) return dsError(400, 'Past bookings cannot be canceled');
        const resource = state.resource(booking.org_id, booking.resource_id);
        const becameCanceled = cancelInvitee(state, booking, invitee, (reason as string | null | undefined) ?? null, resource?.event_type === 'group');
        return {
          status: 200,
          body: bookingDetailView(state, booking),
          ...(becameCanceled ? { after: hub.later('event_canceled', booking) } : {}),
        };
      },
    },
  ];
}
