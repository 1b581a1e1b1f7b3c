import { localParts, zonedToUtc } from '../framework/seed.js';
import { ControlError } from '../framework/types.js';
import type { ApiDeps } from './api.js';
import { freeSlots } from './availability.js';
import { applyCancel, cancelProblem, placeBooking } from './bookings.js';
import { type Booking, bookingView, type Company, type Customer, customerView, isoSeconds, wholeSecond } from './state.js';
import type { WebhookEvent } from './webhooks.js';

/**
 * `POST /__sandbox/events` (§4 last paragraph, README §7 "Events"): applies a change as if made on
 * yAppointment's own site, then fires the matching webhook and waits for the attempts.
 */

export const SANDBOX_EVENT_TYPES = [
  'booking.created',
  'booking.cancelled',
  'booking.rescheduled',
  'booking.updated',
  'booking.completed',
  'booking.no_show',
  'customer.updated',
] as const;

const DAY_MS = 86_400_000;

export async function applySandboxEvent(
  deps: ApiDeps,
  type: string,
  bookingId: string | undefined,
): Promise<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }> {
  if (!(SANDBOX_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new ControlError(400, `type must be one of ${SANDBOX_EVENT_TYPES.join(', ')}`);
  }
  const data = deps.store.data;
  const now = wholeSecond(deps.ctx.clock.now());
  const fire = async (companyId: string, event: WebhookEvent, payload: unknown, id: string) => {
    const r = await deps.hub.emit(companyId, event, payload);
    return { bookingId: id, webhooksAttempted: r.attempted, webhooksDelivered: r.delivered };
  };

  if (type === 'booking.created') {
    // Earliest free slot of the first service of the first company, at least 24 h ahead.
    const company = data.companies[0];
    const service = data.services.filter((s) => s.companyId === company.id && s.active).sort((a, b) => a.id.localeCompare(b.id))[0];
    const customer = data.customers.find((c) => c.companyId === company.id) as Customer;
    const from = now + DAY_MS;
    const slot = freeSlots(data, company, service, service.employeeIds, from, from + 31 * DAY_MS, now)[0];
    const booking = slot ? placeBooking(data, company, service, customer, slot.start, slot.employeeId, '', now) : null;
    if (!booking) throw new ControlError(409, 'no free slot in the next 31 days');
    return fire(company.id, 'booking.created', bookingView(data, booking), booking.id);
  }

  if (!bookingId) throw new ControlError(400, 'bookingId is required for this type');
  const booking = data.bookings.find((b) => b.id === bookingId);
  if (!booking) throw new ControlError(404, 'booking not found');
  const company = data.companies.find((c) => c.id === booking.companyId) as Company;
  const refuse = (why: string) => {
    throw new ControlError(409, why);
  };
  const closed = (b: Booking) => b.status === 'cancelled' || b.status === 'completed' || b.status === 'no_show';

  switch (type as (typeof SANDBOX_EVENT_TYPES)[number]) {
    case 'booking.cancelled':
      if (cancelProblem(booking, now)) refuse(`a ${booking.status} or started booking cannot be cancelled`);
      applyCancel(booking, 'Cancelled by the customer on yAppointment', now);
      break;
    case 'booking.rescheduled': {
      if (closed(booking)) refuse(`a ${booking.status} booking cannot be rescheduled`);
      // One day later at the same local wall-clock time.
      const p = localParts(company.timezone, booking.start);
      const start = zonedToUtc(company.timezone, p.y, p.m, p.d + 1, p.hh, p.mm);
      booking.end = start + (booking.end - booking.start);
      booking.start = start;
      booking.updatedAt = now;
      break;
    }
    case 'booking.updated':
      booking.notes = `Updated on yAppointment at ${isoSeconds(now)}`;
      booking.updatedAt = now;
      break;
    case 'booking.completed':
    case 'booking.no_show':
      if (booking.status !== 'confirmed') refuse(`a ${booking.status} booking cannot be marked ${type.slice(8)}`);
      booking.status = type === 'booking.completed' ? 'completed' : 'no_show';
      booking.updatedAt = now;
      break;
    case 'customer.updated': {
      const customer = data.customers.find((c) => c.id === booking.customerId) as Customer;
      customer.phone = `${company.phone.slice(0, -4)}${String(now % 10_000).padStart(4, '0')}`;
      customer.updatedAt = now;
      return fire(company.id, 'customer.updated', customerView(customer), booking.id);
    }
    case 'booking.created':
      break;
  }
  return fire(company.id, type as WebhookEvent, bookingView(data, booking), booking.id);
}
