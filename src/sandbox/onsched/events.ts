import type { Clock } from '../framework/clock.js';
import { ControlError } from '../framework/types.js';
import { firstFreeSlot } from './availability.js';
import { ApiError } from './http.js';
import { type Appointment, WEBHOOK_TRIGGERS, type WebhookTrigger } from './model.js';
import type { AppointmentOps, Outcome } from './operations.js';
import type { OnSchedState } from './state.js';
import type { WebhookNotifier } from './webhooks.js';

/**
 * `POST /__sandbox/events` for OnSched (contract §4): something done on OnSched's own site, applied
 * to the data, then the matching webhooks fire and are awaited.
 */

const DAY_MS = 86_400_000;

export interface EventDeps {
  state: OnSchedState;
  ops: AppointmentOps;
  notifier: WebhookNotifier;
  clock: Clock;
}

/** An online booking at the first company's primary location, in the first free slot ≥ 24 h ahead. */
function onlineBooking({ state, ops, clock }: EventDeps): Outcome {
  const company = state.data.companies[0];
  const location = state.primaryLocation(company.id);
  const service = state.servicesOf(company.id)[0];
  const slot = firstFreeSlot(state, service, location, clock.now() + DAY_MS);
  if (!slot) throw new ControlError(409, 'no free slot in the next 62 days');
  const customer = state.customersOf(company.id)[0];
  const input = {
    serviceId: service.id,
    startMs: slot.startMs,
    endMs: slot.endMs,
    locationId: location.id,
    resourceId: slot.resource.id,
    customerId: customer.id,
    name: null,
    email: null,
    phone: null,
    notes: null,
    customerMessage: null,
    bookedBy: customer.email,
  };
  return ops.create(company, input, 'BK', true);
}

function apply(type: WebhookTrigger, a: Appointment, deps: EventDeps): Outcome {
  const { ops } = deps;
  switch (type) {
    case 'NEW_APPOINTMENT': {
      // A hold completed on OnSched's booking page; an anonymous hold is completed by the company's first customer.
      const who = !a.customerId && (!a.name || !a.email) ? deps.state.customersOf(a.companyId)[0] : undefined;
      return ops.book(a, { name: who?.name ?? null, email: who?.email ?? null, phone: null, notes: null, customerMessage: null }, 'BK');
    }
    case 'APPOINTMENT_CONFIRMED':
      if (a.confirmed && a.status === 'BK') throw new ControlError(409, 'the appointment is already confirmed');
      return ops.confirm(a, false);
    case 'APPOINTMENT_CANCELLED':
      return ops.cancel(a);
    case 'APPOINTMENT_RESCHEDULED':
      return ops.reschedule(a, a.startMs + DAY_MS, a.endMs + DAY_MS, null, null);
    case 'APPOINTMENT_REMINDER':
      if (a.status !== 'BK') throw new ControlError(409, `reminders are sent only for BK appointments, not ${a.status}`);
      return { appointment: a, triggers: ['APPOINTMENT_REMINDER'] };
  }
}

export async function runEvent(
  type: string,
  bookingId: string | undefined,
  deps: EventDeps,
): Promise<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }> {
  if (!WEBHOOK_TRIGGERS.includes(type as WebhookTrigger)) throw new ControlError(400, `unknown event type; use ${WEBHOOK_TRIGGERS.join(', ')}`);
  let outcome: Outcome;
  try {
    if (bookingId === undefined) {
      if (type !== 'NEW_APPOINTMENT') throw new ControlError(400, `bookingId is required for ${type}`);
      outcome = onlineBooking(deps);
    } else {
      const a = deps.state.appointmentById(bookingId);
      if (!a) throw new ControlError(404, `appointment ${bookingId} not found`);
      outcome = apply(type as WebhookTrigger, a, deps);
    }
  } catch (err) {
    // Refused transitions (wrong status, past, slot taken, missing data) are 409 on the control API.
    if (err instanceof ApiError) throw new ControlError(err.status === 404 ? 404 : 409, err.message);
    throw err;
  }
  const sent = await deps.notifier.send(deps.notifier.jobs(outcome.appointment, outcome.triggers));
  return { bookingId: outcome.appointment.id, webhooksAttempted: sent.attempted, webhooksDelivered: sent.delivered };
}
