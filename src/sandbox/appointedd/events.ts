import { ControlError } from '../framework/types.js';
import { freeSlots } from './availability.js';
import { cancelBooking } from './bookings.js';
import type { Booking, Customer, Service } from './model.js';
import type { Runtime } from './runtime.js';
import { GLASGOW_ID } from './state.js';

/**
 * `POST /__sandbox/events` (README §7, contract §4): something done on Appointedd's own site.
 * `booking_created` (bookingId optional), `booking_cancelled`, `booking_updated` (ended → first
 * participant `No Show`; otherwise one day later), `customer_created` (a new customer in the first
 * account), `customer_updated` (edits the booking's first customer). `customer_deleted` cannot be
 * simulated. For `customer_created` without a booking, `bookingId` in the answer is the new customer's id.
 */

export const EVENT_TYPES = ['booking_created', 'booking_cancelled', 'booking_updated', 'customer_created', 'customer_updated'] as const;

const DAY_MS = 86_400_000;
const WEB_SOURCE = 'online_booking';
const STAFF_SOURCE = 'appointment_screen';

export function eventRunner(rt: Runtime) {
  const { state, ctx, hooks } = rt;
  let created = 0;

  const findBooking = (bookingId: string | undefined): Booking => {
    if (bookingId === undefined) throw new ControlError(400, 'bookingId is required for this event type');
    const booking = state.bookings.get(bookingId);
    if (!booking) throw new ControlError(404, 'booking not found');
    return booking;
  };
  const bySeq = <T extends { seq: number }>(items: Iterable<T>) => [...items].sort((a, b) => a.seq - b.seq);

  /** Books the earliest free slot of the first service of the first account ≥ 24 h from now. */
  const bookOnline = (now: number): Booking => {
    const service = bySeq([...state.services.values()].filter((s) => s.accountId === GLASGOW_ID))[0] as Service;
    const from = now + DAY_MS;
    const slot = freeSlots(state, service, state.resourcesOf(service), from, from + 42 * DAY_MS, now)[0];
    if (!slot) throw new ControlError(409, 'no free slot in the next 42 days');
    const customer = bySeq([...state.customers.values()].filter((c) => c.accountId === GLASGOW_ID))[0];
    const booking: Booking = {
      id: state.newObjectId(now),
      accountId: service.accountId,
      serviceId: service.id,
      resourceId: slot.resource.id,
      start: slot.start,
      end: slot.end,
      status: 'confirmed',
      timezone: state.accounts.get(service.accountId)?.timezone ?? 'Europe/London',
      createdSource: WEB_SOURCE,
      lastModifiedSource: WEB_SOURCE,
      cancelledAt: null,
      participants: [
        {
          customerId: customer.id,
          customerBookingId: state.newObjectId(now),
          spaces: 1,
          status: 'No Status',
          timezone: customer.timezone,
          bookingSource: WEB_SOURCE,
          paid: false,
          totalPrice: service.price,
          created: now,
        },
      ],
      created: now,
      updated: now,
      seq: state.nextSeq(),
    };
    state.bookings.set(booking.id, booking);
    return booking;
  };

  return async (type: string, bookingId: string | undefined) => {
    const now = ctx.clock.now();
    const answer = (id: string, r: { attempted: number; delivered: number }) => ({
      bookingId: id,
      webhooksAttempted: r.attempted,
      webhooksDelivered: r.delivered,
    });
    switch (type) {
      case 'booking_created': {
        const booking = bookingId === undefined ? bookOnline(now) : findBooking(bookingId);
        return answer(booking.id, await hooks.fireBooking('booking_created', booking));
      }
      case 'booking_cancelled': {
        const booking = findBooking(bookingId);
        if (booking.status === 'cancelled') throw new ControlError(409, 'the booking is already cancelled');
        if (booking.start <= now) throw new ControlError(409, 'the booking has already started');
        cancelBooking(booking, now, STAFF_SOURCE);
        return answer(booking.id, await hooks.fireBooking('booking_cancelled', booking));
      }
      case 'booking_updated': {
        const booking = findBooking(bookingId);
        if (booking.status === 'cancelled') throw new ControlError(409, 'a cancelled booking cannot be updated');
        if (booking.end <= now) {
          booking.participants[0].status = 'No Show';
          booking.participants[0].paid = false;
        } else {
          const [start, end] = [booking.start + DAY_MS, booking.end + DAY_MS];
          if (state.overlapping(booking.resourceId, start, end, booking.id).length > 0) {
            throw new ControlError(409, 'the resource is busy one day later');
          }
          booking.start = start;
          booking.end = end;
        }
        booking.updated = now;
        booking.lastModifiedSource = STAFF_SOURCE;
        return answer(booking.id, await hooks.fireBooking('booking_updated', booking));
      }
      case 'customer_created': {
        const accountId = bookingId === undefined ? GLASGOW_ID : findBooking(bookingId).accountId;
        created += 1;
        const customer: Customer = {
          id: state.newObjectId(now),
          accountId,
          firstname: 'Renée',
          lastname: 'Côté',
          email: `renee.cote.${created}@example.com`,
          mobile: null,
          phone: null,
          tags: [],
          marketingOptIn: false,
          timezone: state.accounts.get(accountId)?.timezone ?? 'Europe/London',
          created: now,
          updated: now,
          seq: state.nextSeq(),
        };
        state.customers.set(customer.id, customer);
        return answer(bookingId ?? customer.id, await hooks.fireCustomer('customer_created', customer));
      }
      case 'customer_updated': {
        const booking = findBooking(bookingId);
        const customer = state.customers.get(booking.participants[0].customerId) as Customer;
        customer.marketingOptIn = !customer.marketingOptIn;
        customer.updated = now;
        return answer(booking.id, await hooks.fireCustomer('customer_updated', customer));
      }
      case 'customer_deleted':
        throw new ControlError(400, 'customer_deleted cannot be simulated');
      default:
        throw new ControlError(400, `unknown event type; use one of ${EVENT_TYPES.join(', ')}`);
    }
  };
}
