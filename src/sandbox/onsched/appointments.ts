import type { EmuRequest, Route } from '../framework/types.js';
import type { Secure } from './auth.js';
import { fail, isUuid, jsonBody, listPage, ok, pathId, queryBool, queryDate, queryUuid, sameText, str } from './http.js';
import { type Appointment, APPOINTMENT_STATUSES, type AppointmentStatus, type Company } from './model.js';
import { type AppointmentOps, type CompleteBooking, type Outcome, readBookInput, readCreateInput, readTimes } from './operations.js';
import type { OnSchedState } from './state.js';
import { appointmentView } from './views.js';
import type { WebhookNotifier } from './webhooks.js';

/**
 * `/consumer/v1/appointments` (contract §3.4): list with the documented filters, get, create,
 * the state-changing PUTs and delete. Webhooks caused by a call start after its answer (§4).
 */

const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');

/** The documented list filters; `startDate`/`endDate` compare with the local `date` (inclusive). */
function listFilter(req: EmuRequest, state: OnSchedState, company: Company): (a: Appointment) => boolean {
  const ids: Record<string, string | null> = {};
  for (const name of ['locationId', 'serviceId', 'calendarId', 'resourceId', 'customerId', 'serviceAllocationId']) ids[name] = queryUuid(req, name);
  const startDate = queryDate(req, 'startDate');
  const endDate = queryDate(req, 'endDate');
  const status = req.query.get('status') || null;
  if (status !== null && !APPOINTMENT_STATUSES.includes(status as AppointmentStatus)) fail(400, `status must be one of ${APPOINTMENT_STATUSES.join(', ')}`);
  const email = req.query.get('email') || null;
  const lastname = req.query.get('lastname') || null;
  const phone = req.query.get('phone') || null;
  const bookedBy = req.query.get('bookedBy') || null;
  if (ids.locationId && !state.location(company.id, ids.locationId)) fail(404, `Location ${ids.locationId} not found`);
  return (a) => {
    const view = appointmentView(state, a);
    return (
      (!ids.locationId || a.locationId === ids.locationId) &&
      (!ids.serviceId || a.serviceId === ids.serviceId) &&
      (!ids.calendarId || view.calendarId === ids.calendarId) &&
      (!ids.resourceId || a.resourceId === ids.resourceId) &&
      (!ids.customerId || a.customerId === ids.customerId) &&
      !ids.serviceAllocationId &&
      (!startDate || view.date >= startDate) &&
      (!endDate || view.date <= endDate) &&
      (!status || a.status === status) &&
      (!email || sameText(a.email, email)) &&
      (!lastname || sameText(a.lastname, lastname)) &&
      (!phone || (digits(a.phone) !== '' && digits(a.phone) === digits(phone))) &&
      (!bookedBy || sameText(a.bookedBy, bookedBy))
    );
  };
}

export function appointmentRoutes(state: OnSchedState, ops: AppointmentOps, notifier: WebhookNotifier, secure: Secure): Route[] {
  const find = (company: Company, id: string): Appointment => {
    const a = state.appointment(company.id, id);
    if (!a) fail(404, `Appointment ${id} not found`);
    return a as Appointment;
  };
  /** 200 with the appointment; webhooks for the outcome's triggers after the answer. */
  const answer = (outcome: Outcome) => ok(appointmentView(state, outcome.appointment), notifier.after(notifier.jobs(outcome.appointment, outcome.triggers)));
  /** A PUT with an optional body: the body is validated (`read`) before the appointment is looked up. */
  const put = <T>(path: string, read: (body: Record<string, unknown>) => T, run: (a: Appointment, input: T) => Outcome): Route => ({
    method: 'PUT',
    path: `/consumer/v1/appointments/:id/${path}`,
    handler: secure((req, company) => {
      const id = pathId(req);
      const input = read(jsonBody(req, true));
      return answer(run(find(company, id), input));
    }),
  });
  const noBody = () => undefined;

  return [
    {
      method: 'GET',
      path: '/consumer/v1/appointments',
      handler: secure((req, company) =>
        ok(listPage(req, state.appointmentsOf(company.id).filter(listFilter(req, state, company)), (a) => appointmentView(state, a))),
      ),
    },
    {
      method: 'GET',
      path: '/consumer/v1/appointments/:id',
      handler: secure((req, company) => ok(appointmentView(state, find(company, pathId(req))))),
    },
    {
      method: 'POST',
      path: '/consumer/v1/appointments',
      handler: secure((req, company) => {
        const raw = req.query.get('completeBooking');
        if (raw !== null && raw !== 'BK' && raw !== 'RS' && raw !== 'IN') fail(400, 'completeBooking must be BK, RS or IN');
        const complete = (raw ?? 'IN') as CompleteBooking;
        const input = readCreateInput(jsonBody(req), complete);
        const online = !req.headers.authorization;
        return answer(ops.create(company, input, complete, online));
      }, true),
    },
    put('book', readBookInput, (a, input) => ops.book(a, input, 'BK')),
    put('reserve', readBookInput, (a, input) => ops.book(a, input, 'RS')),
    {
      method: 'PUT',
      path: '/consumer/v1/appointments/:id/confirm',
      handler: secure((req, company) => {
        const id = pathId(req);
        const undo = queryBool(req, 'undo') === true;
        jsonBody(req, true);
        return answer(ops.confirm(find(company, id), undo));
      }),
    },
    put('noshow', noBody, (a) => ops.noShow(a)),
    put('cancel', noBody, (a) => ops.cancel(a)),
    {
      method: 'PUT',
      path: '/consumer/v1/appointments/:id/reschedule',
      handler: secure((req, company) => {
        const id = pathId(req);
        const body = jsonBody(req);
        const { startMs, endMs } = readTimes(body);
        const resourceId = str(body, 'resourceId') || null;
        const serviceId = str(body, 'serviceId') || null;
        if (resourceId !== null && !isUuid(resourceId)) fail(400, 'resourceId must be a UUID');
        if (serviceId !== null && !isUuid(serviceId)) fail(400, 'serviceId must be a UUID');
        return answer(ops.reschedule(find(company, id), startMs, endMs, resourceId, serviceId));
      }),
    },
    {
      method: 'DELETE',
      path: '/consumer/v1/appointments/:id',
      handler: secure((req, company) => {
        const a = find(company, pathId(req));
        const view = appointmentView(state, a);
        ops.remove(a);
        return ok(view);
      }),
    },
  ];
}
