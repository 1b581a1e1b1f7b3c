import { ControlError } from '../framework/types.js';
import { cancelBooking, createBooking } from './booking-ops.js';
import { TRIGGER_TYPES, type TriggerType, durationMinutes } from './model.js';
import { firstOpenSlot } from './slots.js';
import type { DayScheduleState } from './state.js';
import type { TriggerHub } from './webhooks.js';

/**
 * `POST /__sandbox/events` for DaySchedule (§4, README §7): `event_scheduled` (an invitee books the
 * earliest free slot ≥ 24 h ahead through the widget), `event_canceled` (the invitee cancels),
 * `before_event` / `event_start` / `event_end` (fire that trigger now, data unchanged).
 */
export async function simulateEvent(
  state: DayScheduleState,
  hub: TriggerHub,
  type: string,
  bookingId: string | undefined,
): Promise<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }> {
  if (!TRIGGER_TYPES.includes(type as TriggerType)) throw new ControlError(400, `unknown event type ${type}; use one of ${TRIGGER_TYPES.join(', ')}`);
  const trigger = type as TriggerType;
  if (trigger === 'event_scheduled' && bookingId === undefined) {
    const org = state.data.orgs[0];
    const resource = state.data.resources.find((r) => r.org_id === org.org_id);
    const invitee = state.data.contacts
      .filter((c) => c.org_id === org.org_id)
      .sort((a, b) => a.created_at - b.created_at || a.contact_id.localeCompare(b.contact_id))[0];
    if (!resource || !invitee) throw new ControlError(409, 'the first organization has no resource or contact');
    const minutes = durationMinutes(resource.durations[0]);
    const slot = firstOpenSlot(state, resource, state.clock.now() + 86_400_000, minutes);
    const host = slot ? state.user(org.org_id, slot.users[0]) : undefined;
    if (!slot || !host) throw new ControlError(409, 'no free slot in the next 60 days');
    const booking = createBooking(state, {
      resource,
      host,
      start: slot.start,
      end: slot.start + minutes * 60_000,
      invitees: [{ name: invitee.name, email: invitee.email, time_zone: org.timezone }],
      via: 'booking page',
    });
    return { bookingId: booking.booking_id, ...(await hub.fireAndWait('event_scheduled', booking)) };
  }
  if (bookingId === undefined) throw new ControlError(400, `bookingId is required for ${type}`);
  const booking = state.anyBooking(bookingId);
  if (!booking) throw new ControlError(404, `booking ${bookingId} not found`);
  if (trigger === 'event_canceled') {
    if (booking.status === 'canceled') throw new ControlError(409, 'the booking is already canceled');
    if (booking.start_at <= state.clock.now()) throw new ControlError(409, 'past bookings cannot be canceled');
    cancelBooking(state, booking, 'invitee', 'Canceled by the invitee', booking.invitees[0]?.name ?? 'invitee');
  } else if (trigger !== 'event_scheduled' && booking.status !== 'confirmed') {
    throw new ControlError(409, `${type} fires only for confirmed bookings`);
  }
  return { bookingId: booking.booking_id, ...(await hub.fireAndWait(trigger, booking)) };
}
