import type { Clock } from '../framework/clock.js';
import type { EmuResponse, Route } from '../framework/types.js';
import { type AuthDeps, organizationRoute } from './auth.js';
import { dayRange, monthRange, type Range, rangeList, weekRange } from './calendar.js';
import { ORG } from './catalog.js';
import { failure, type Message, ok, paginate, parsePage, readJsonObject, TEXT } from './envelope.js';
import { renderAppointment } from './render.js';
import type { Slot, SlotEngine } from './slots.js';
import { type Appointment, type BookingtimeState, type Customer, idPattern, newId, type Organization, PREFIX } from './state.js';

/**
 * Appointment routes (contract §3.4): add via booking slot (201), show, identify, cancel, move, and
 * the calendar-range listings (`RANGE_LIST`) with their paged variants (`PAGINATION_LIST`). Ranges
 * are local to the organization, include cancelled appointments and are ordered by start.
 */

const SLOT_ID = idPattern(PREFIX.bookingSlot);
const CUSTOMER_ID = idPattern(PREFIX.customer);
export const SLOT_TAKEN = 'The booking slot is no longer available.';

/** What the booking operations decide, before any HTTP shape. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 409; parameter: string | null; text: string };
const refuse = (status: 400 | 409, text: string, parameter: string | null = null) => ({ ok: false as const, status, parameter, text });

/** Books `slot` for `customer` in `org` if it is still free and allowed (else 409). */
export function bookSlot(
  state: BookingtimeState,
  slots: SlotEngine,
  now: number,
  org: Organization,
  slot: Slot | undefined,
  customer: Customer,
  extra: { notes?: string; customId?: string } = {},
): Outcome<Appointment> {
  const template = slot && state.template(org.id, slot.templateId);
  if (!slot || !template || !slots.isBookable(org, template, slot)) return refuse(409, SLOT_TAKEN);
  const appointment: Appointment = {
    id: newId(PREFIX.appointment),
    customId: extra.customId ?? '',
    organizationId: org.id,
    bookingTemplateId: template.id,
    customerId: customer.id,
    customerSnapshot: { id: customer.id, customId: customer.customId, firstName: customer.firstName, lastName: customer.lastName },
    startMs: slot.startMs,
    endMs: slot.startMs + template.duration * 60_000,
    notes: extra.notes ?? '',
    resourceIds: [...slot.resourceIds],
    canceled: false,
    moved: false,
    timestampAdd: now,
    timestampEdit: now,
  };
  state.appointments.set(appointment.id, appointment);
  return { ok: true, value: appointment };
}

/** Cancels: already cancelled → 409; already ended → 400 (contract §3.4). */
export function cancelAppointment(a: Appointment, now: number): Outcome<Appointment> {
  if (a.canceled) return refuse(409, 'The appointment is already canceled.');
  if (a.endMs <= now) return refuse(400, 'The appointment has already ended.');
  a.canceled = true;
  a.timestampEdit = now;
  return { ok: true, value: a };
}

/** Moves to `slot` of the same template: cancelled → 409, ended → 400, other template → 400, taken → 409. */
export function moveAppointment(
  state: BookingtimeState,
  slots: SlotEngine,
  now: number,
  org: Organization,
  a: Appointment,
  slot: Slot | undefined,
): Outcome<Appointment> {
  if (a.canceled) return refuse(409, 'The appointment is canceled.');
  if (a.endMs <= now) return refuse(400, 'The appointment has already ended.');
  if (slot && slot.templateId !== a.bookingTemplateId) return refuse(400, 'The booking slot belongs to another booking template.', 'bookingSlotId');
  const template = state.template(org.id, a.bookingTemplateId);
  if (!slot || !template || !slots.isBookable(org, template, slot, a.id)) return refuse(409, SLOT_TAKEN);
  a.startMs = slot.startMs;
  a.endMs = slot.startMs + template.duration * 60_000;
  a.resourceIds = [...slot.resourceIds];
  a.moved = true;
  a.timestampEdit = now;
  return { ok: true, value: a };
}

function answer(outcome: Outcome<Appointment>, render: (a: Appointment) => unknown, status = 200, text = ''): EmuResponse {
  if (!outcome.ok) return failure(outcome.status, [{ parameter: outcome.parameter, text: outcome.text }]);
  return ok(render(outcome.value), status, text);
}

/** `bookingSlotId` of a body: missing or malformed → a message. */
function slotIdMessage(v: unknown): Message | null {
  if (v === undefined || v === null || v === '') return { parameter: 'bookingSlotId', text: TEXT.missing };
  return typeof v === 'string' && SLOT_ID.test(v) ? null : { parameter: 'bookingSlotId', text: TEXT.invalid };
}

export function appointmentRoutes(deps: AuthDeps, slots: SlotEngine, clock: Clock): Route[] {
  const { state } = deps;
  const notFound = () => failure(404, 'Appointment not found.');
  const render = (org: Organization) => (a: Appointment) => renderAppointment(state, org, a);
  const inRange = (org: Organization, r: Range) => state.appointmentsOf(org.id).filter((a) => a.startMs >= r.startMs && a.startMs < r.endMs);

  /** One calendar listing: `paged` → `PAGINATION_LIST`, else `RANGE_LIST`. */
  const calendar = (kind: 'month' | 'week' | 'day', paged: boolean) =>
    organizationRoute(deps, ({ req, org }) => {
      const p = req.params;
      const parsed =
        kind === 'month'
          ? monthRange(org.timeZone, p.year, p.month)
          : kind === 'week'
            ? weekRange(org.timeZone, p.year, p.week)
            : dayRange(org.timeZone, p.year, p.month, p.day);
      const page = paged ? parsePage(p.page) : 1;
      const messages = [...(parsed.ok ? [] : parsed.messages), ...(page === null ? [{ parameter: 'page', text: TEXT.invalid }] : [])];
      if (!parsed.ok || page === null) return failure(400, messages);
      const list = inRange(org, parsed.range);
      if (paged) return ok(paginate(list, page, render(org)));
      return ok(rangeList(org.timeZone, parsed.range, list.map(render(org))));
    });

  const A = `${ORG}/appointment`;
  return [
    {
      method: 'POST',
      path: `${A}/add`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const read = readJsonObject(req);
        if (!read.ok) return read.response;
        const b = read.body;
        const messages: Message[] = [];
        const slotProblem = slotIdMessage(b.bookingSlotId);
        if (slotProblem) messages.push(slotProblem);
        let customer: Customer | undefined;
        if (b.customerId === undefined || b.customerId === null || b.customerId === '') {
          messages.push({ parameter: 'customerId', text: TEXT.missing });
        } else if (typeof b.customerId !== 'string' || !CUSTOMER_ID.test(b.customerId)) {
          messages.push({ parameter: 'customerId', text: TEXT.invalid });
        } else {
          customer = state.customer(org.id, b.customerId);
          if (!customer) messages.push({ parameter: 'customerId', text: 'Customer not found.' });
        }
        for (const name of ['notes', 'customId']) {
          if (b[name] !== undefined && typeof b[name] !== 'string') messages.push({ parameter: name, text: TEXT.invalid });
        }
        if (messages.length || !customer) return failure(400, messages);
        const outcome = bookSlot(state, slots, clock.now(), org, slots.resolve(b.bookingSlotId as string), customer, {
          notes: b.notes as string | undefined,
          customId: b.customId as string | undefined,
        });
        return answer(outcome, render(org), 201, 'Appointment successfully booked.');
      }),
    },
    {
      method: 'GET',
      path: `${A}/:appointmentId/show`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const a = state.appointment(org.id, req.params.appointmentId);
        return a ? ok(render(org)(a)) : notFound();
      }),
    },
    {
      method: 'GET',
      path: `${A}/:customId/identify`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const a = state.appointmentsOf(org.id).find((x) => x.customId !== '' && x.customId === req.params.customId);
        return a ? ok(render(org)(a)) : notFound();
      }),
    },
    {
      method: 'PUT',
      path: `${A}/:appointmentId/cancel`,
      // No body (documented); whatever is sent is ignored.
      handler: organizationRoute(deps, ({ req, org }) => {
        const a = state.appointment(org.id, req.params.appointmentId);
        if (!a) return notFound();
        return answer(cancelAppointment(a, clock.now()), render(org));
      }),
    },
    {
      method: 'PUT',
      path: `${A}/:appointmentId/move`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const read = readJsonObject(req);
        if (!read.ok) return read.response;
        const problem = slotIdMessage(read.body.bookingSlotId);
        if (problem) return failure(400, [problem]);
        const a = state.appointment(org.id, req.params.appointmentId);
        if (!a) return notFound();
        return answer(moveAppointment(state, slots, clock.now(), org, a, slots.resolve(read.body.bookingSlotId as string)), render(org));
      }),
    },
    { method: 'GET', path: `${A}/year/:year/month/:month/listMonth`, handler: calendar('month', false) },
    { method: 'GET', path: `${A}/year/:year/week/:week/listWeek`, handler: calendar('week', false) },
    { method: 'GET', path: `${A}/year/:year/month/:month/day/:day/listDay`, handler: calendar('day', false) },
    { method: 'GET', path: `${A}/year/:year/month/:month/indexMonth/:page`, handler: calendar('month', true) },
    { method: 'GET', path: `${A}/year/:year/week/:week/indexWeek/:page`, handler: calendar('week', true) },
    { method: 'GET', path: `${A}/year/:year/month/:month/day/:day/indexDay/:page`, handler: calendar('day', true) },
  ];
}
