import type { Clock } from '../framework/clock.js';
import { ControlError } from '../framework/types.js';
import { bookSlot, cancelAppointment, moveAppointment, type Outcome } from './appointments.js';
import { ORG_ALSTER } from './seed.js';
import type { SlotEngine } from './slots.js';
import type { Appointment, BookingtimeState } from './state.js';

/**
 * `POST /__sandbox/events` (README §7, contract §4): bookingtime has no webhooks, so these events
 * only change data, as if done on bookingtime's own site; they deliver nothing.
 */

export const EVENT_TYPES = ['appointment.created', 'appointment.canceled', 'appointment.moved'] as const;

/** Events book and move to slots at least this far ahead of now (README §7). */
const EVENT_HORIZON_MS = 24 * 3_600_000;

export async function runEvent(
  state: BookingtimeState,
  slots: SlotEngine,
  clock: Clock,
  type: string,
  bookingId: string | undefined,
): Promise<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }> {
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new ControlError(400, `unknown event type ${type}; expected one of ${EVENT_TYPES.join(', ')}`);
  }
  const now = clock.now();
  const done = (a: Appointment) => ({ bookingId: a.id, webhooksAttempted: 0, webhooksDelivered: 0 });
  const settle = (outcome: Outcome<Appointment>) => {
    if (!outcome.ok) throw new ControlError(409, outcome.text);
    return done(outcome.value);
  };

  if (type === 'appointment.created') {
    if (bookingId !== undefined) throw new ControlError(400, 'appointment.created takes no bookingId');
    // The earliest free slot of the first template of the first organization, ≥ 24 h ahead.
    const org = state.organization(ORG_ALSTER);
    const template = org && state.templatesOf(org.id)[0];
    const customer = org && state.customersOf(org.id)[0];
    if (!org || !template || !customer) throw new ControlError(409, 'nothing to book');
    const slot = slots.earliest(org, template, now + EVENT_HORIZON_MS);
    if (!slot) throw new ControlError(409, 'no free booking slot');
    return settle(bookSlot(state, slots, now, org, slot, customer));
  }

  if (bookingId === undefined) throw new ControlError(400, `${type} requires bookingId`);
  const appointment = state.anyAppointment(bookingId);
  if (!appointment) throw new ControlError(404, `appointment ${bookingId} not found`);
  const org = state.organization(appointment.organizationId);
  if (!org) throw new ControlError(404, `appointment ${bookingId} not found`);

  if (type === 'appointment.canceled') return settle(cancelAppointment(appointment, now));

  // appointment.moved: to the earliest other free slot of the same template, ≥ 24 h ahead.
  if (appointment.canceled || appointment.endMs <= now) throw new ControlError(409, 'the appointment can no longer be moved');
  const template = state.template(org.id, appointment.bookingTemplateId);
  if (!template) throw new ControlError(409, 'the booking template no longer exists');
  let from = now + EVENT_HORIZON_MS;
  let slot = slots.earliest(org, template, from);
  while (slot && slot.startMs === appointment.startMs) {
    from = slot.startMs + 60_000;
    slot = slots.earliest(org, template, from);
  }
  if (!slot) throw new ControlError(409, 'no free booking slot');
  return settle(moveAppointment(state, slots, now, org, appointment, slot));
}
