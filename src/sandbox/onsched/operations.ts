import { randomUUID } from 'node:crypto';
import type { Clock } from '../framework/clock.js';
import { parseInstant } from '../framework/util.js';
import { fail, isEmail, isUuid, str } from './http.js';
import type { Appointment, AppointmentStatus, Company, Customer, Location, Resource, Service, WebhookTrigger } from './model.js';
import type { OnSchedState } from './state.js';

/**
 * Appointment state changes of contract §3.4, shared by the API routes and `/__sandbox/events`.
 * Each operation throws `ApiError` (400 body, 404 existence, 409 status or slot, 422 past) and
 * returns the webhook triggers it causes (§4).
 */

export type Outcome = { appointment: Appointment; triggers: WebhookTrigger[] };

export type CompleteBooking = 'BK' | 'RS' | 'IN';

/** Fields of an appointment create request after validation. */
export interface CreateInput {
  serviceId: string;
  startMs: number;
  endMs: number;
  locationId: string | null;
  resourceId: string | null;
  customerId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  notes: string | null;
  customerMessage: string | null;
  bookedBy: string | null;
}

const optionalUuid = (body: Record<string, unknown>, name: string): string | null => {
  const v = str(body, name);
  if (v !== null && v !== '' && !isUuid(v)) fail(400, `${name} must be a UUID`);
  return v === '' ? null : v;
};

const optionalEmail = (body: Record<string, unknown>): string | null => {
  const v = str(body, 'email');
  if (v !== null && !isEmail(v)) fail(400, 'email is not a valid e-mail address');
  return v;
};

/** Start/end from a body: both required, ISO 8601 with offset, end after start, whole minutes. */
export function readTimes(body: Record<string, unknown>): { startMs: number; endMs: number } {
  if (body.startDateTime === undefined || body.startDateTime === null) fail(400, 'startDateTime is required');
  if (body.endDateTime === undefined || body.endDateTime === null) fail(400, 'endDateTime is required');
  const start = parseInstant(body.startDateTime);
  const end = parseInstant(body.endDateTime);
  if (!start) fail(400, 'startDateTime must be ISO 8601 with an offset, e.g. 2025-03-11T10:00:00-04:00');
  if (!end) fail(400, 'endDateTime must be ISO 8601 with an offset, e.g. 2025-03-11T11:00:00-04:00');
  const startMs = (start as Date).getTime();
  const endMs = (end as Date).getTime();
  if (endMs <= startMs) fail(400, 'endDateTime must be after startDateTime');
  if ((endMs - startMs) % 60_000 !== 0) fail(400, 'The duration must be a whole number of minutes');
  return { startMs, endMs };
}

/** Validates an `AppointmentInitialModel` body for `completeBooking` (400 only). */
export function readCreateInput(body: Record<string, unknown>, complete: CompleteBooking): CreateInput {
  if (body.serviceId === undefined || body.serviceId === null || body.serviceId === '') fail(400, 'serviceId is required');
  if (!isUuid(body.serviceId)) fail(400, 'serviceId must be a UUID');
  const times = readTimes(body);
  const input: CreateInput = {
    serviceId: body.serviceId as string,
    ...times,
    locationId: optionalUuid(body, 'locationId'),
    resourceId: optionalUuid(body, 'resourceId'),
    customerId: optionalUuid(body, 'customerId'),
    name: str(body, 'name'),
    email: optionalEmail(body),
    phone: str(body, 'phone'),
    notes: str(body, 'notes'),
    customerMessage: str(body, 'customerMessage'),
    bookedBy: str(body, 'bookedBy'),
  };
  if (complete !== 'IN') {
    if (!input.resourceId) fail(400, `resourceId is required with completeBooking=${complete}`);
    if (!input.customerId && (!input.name || !input.email)) fail(400, `customerId or name and email are required with completeBooking=${complete}`);
  }
  return input;
}

/** Fields `book`/`reserve` accept (`AppointmentBookModel`/`AppointmentReserveModel`), validated. */
export function readBookInput(body: Record<string, unknown>) {
  return {
    name: str(body, 'name'),
    email: optionalEmail(body),
    phone: str(body, 'phone'),
    notes: str(body, 'notes'),
    customerMessage: str(body, 'customerMessage'),
  };
}

export class AppointmentOps {
  constructor(
    private readonly state: OnSchedState,
    private readonly clock: Clock,
  ) {}

  private audit(a: Appointment, type: string, before: AppointmentStatus | null, after: AppointmentStatus, by: string | null): void {
    const now = this.clock.now();
    a.audit.push({
      id: randomUUID(),
      modificationType: type,
      modifiedBy: by ?? a.bookedBy ?? 'api',
      modifiedMs: now,
      statusBefore: before,
      statusAfter: after,
    });
    a.modifiedMs = now;
  }

  private notPast(a: Appointment, verb: string): void {
    if (a.startMs <= this.clock.now()) fail(422, `Past appointments cannot be ${verb}`);
  }

  private requireStatus(a: Appointment, allowed: AppointmentStatus[], verb: string): void {
    if (!allowed.includes(a.status)) fail(409, `Appointment cannot be ${verb} in status ${a.status}`);
  }

  /** Links the appointment to its customer, creating one for a new e-mail (§3.3 "Booking with a new email"). */
  private attachCustomer(a: Appointment): void {
    if (a.customerId) return;
    if (!a.name || !a.email) fail(400, 'name and email are required to book this appointment');
    let customer = this.state.customerByEmail(a.companyId, a.email as string);
    if (!customer) {
      const name = (a.name as string).trim();
      const space = name.indexOf(' ');
      const now = this.clock.now();
      customer = {
        id: randomUUID(),
        companyId: a.companyId,
        locationId: a.locationId,
        type: 0,
        firstname: space > 0 ? name.slice(0, space) : name,
        lastname: space > 0 ? name.slice(space + 1) : '',
        name,
        email: a.email as string,
        contact: { mobilePhone: a.phone, homePhone: null, businessPhone: null },
        notificationType: '1',
        createdMs: now,
        modifiedMs: now,
      };
      this.state.data.customers.push(customer);
    }
    this.copyCustomer(a, customer);
  }

  private copyCustomer(a: Appointment, c: Customer): void {
    a.customerId = c.id;
    a.name = c.name;
    a.firstname = c.firstname;
    a.lastname = c.lastname;
    a.email = c.email;
    a.phone = a.phone ?? c.contact.mobilePhone ?? c.contact.homePhone ?? c.contact.businessPhone;
  }

  /** `IN` → `BK`/`RS` (or a direct create): customer attached, reminder armed; fires NEW_APPOINTMENT. */
  private enterBooked(a: Appointment, status: 'BK' | 'RS', by: string | null): WebhookTrigger[] {
    this.attachCustomer(a);
    const before = a.status === status ? null : a.status;
    a.status = status;
    if (status === 'BK') this.arm(a);
    this.audit(a, status === 'BK' ? 'Booked' : 'Reserved', before, status, by);
    return ['NEW_APPOINTMENT'];
  }

  private arm(a: Appointment): void {
    a.reminderArmedMs = this.clock.now();
    a.reminded = false;
  }

  /** Resolves location, service, resource of a request (404s) and checks the slot (409). */
  private placement(company: Company, locationId: string | null, serviceId: string, resourceId: string | null) {
    const location: Location | undefined = locationId ? this.state.location(company.id, locationId) : this.state.primaryLocation(company.id);
    if (!location) fail(404, `Location ${locationId} not found`);
    const service: Service | undefined = this.state.service(company.id, serviceId);
    if (!service) fail(404, `Service ${serviceId} not found`);
    if (!this.state.offeredAt(service as Service, (location as Location).id)) fail(404, `Service ${serviceId} is not offered at this location`);
    let resource: Resource | undefined;
    if (resourceId) {
      resource = this.state.resource(company.id, resourceId);
      if (!resource || resource.locationId !== (location as Location).id) fail(404, `Resource ${resourceId} not found at this location`);
    }
    return { location: location as Location, service: service as Service, resource };
  }

  /** `POST /consumer/v1/appointments[?completeBooking=]` (§3.4). */
  create(company: Company, input: CreateInput, complete: CompleteBooking, online: boolean): Outcome {
    if (input.startMs <= this.clock.now()) fail(422, 'Appointments cannot be booked in the past');
    const { location, service, resource } = this.placement(company, input.locationId, input.serviceId, input.resourceId);
    let customer: Customer | undefined;
    if (input.customerId) {
      customer = this.state.customer(company.id, input.customerId);
      if (!customer) fail(404, `Customer ${input.customerId} not found`);
    }
    if (resource && !this.state.slotFree(resource, input.startMs, input.endMs)) fail(409, 'The requested time is not available for this resource');
    const now = this.clock.now();
    const a: Appointment = {
      id: randomUUID(),
      companyId: company.id,
      locationId: location.id,
      serviceId: service.id,
      resourceId: resource?.id ?? null,
      customerId: null,
      status: 'IN',
      confirmed: false,
      startMs: input.startMs,
      endMs: input.endMs,
      name: input.name,
      firstname: null,
      lastname: null,
      email: input.email,
      phone: input.phone,
      notes: input.notes ?? '',
      customerMessage: input.customerMessage,
      confirmationNumber: this.state.nextConfirmationNumber(company.id),
      bookedBy: input.bookedBy ?? input.email ?? customer?.email ?? null,
      onlineBooking: online,
      rescheduledId: null,
      createdMs: now,
      modifiedMs: now,
      audit: [],
      reminderArmedMs: null,
      reminded: false,
    };
    if (customer) this.copyCustomer(a, customer);
    this.audit(a, 'Created', null, 'IN', a.bookedBy);
    const triggers = complete === 'IN' ? [] : this.enterBooked(a, complete, a.bookedBy);
    this.state.data.appointments.push(a);
    return { appointment: a, triggers };
  }

  /** `PUT …/book` (`IN` → `BK`) and `PUT …/reserve` (`IN` → `RS`). */
  book(a: Appointment, fields: ReturnType<typeof readBookInput>, status: 'BK' | 'RS'): Outcome {
    this.requireStatus(a, ['IN'], status === 'BK' ? 'booked' : 'reserved');
    this.notPast(a, status === 'BK' ? 'booked' : 'reserved');
    if (!a.resourceId) fail(409, 'The appointment has no resource; create it with a resourceId to book it');
    const next = { ...a };
    if (fields.name !== null) next.name = fields.name;
    if (fields.email !== null) next.email = fields.email;
    if (fields.phone !== null) next.phone = fields.phone;
    if (fields.notes !== null) next.notes = fields.notes;
    if (fields.customerMessage !== null) next.customerMessage = fields.customerMessage;
    if (!next.customerId && (!next.name || !next.email)) fail(400, 'name and email are required to book this appointment');
    Object.assign(a, next);
    a.bookedBy = a.bookedBy ?? a.email;
    return { appointment: a, triggers: this.enterBooked(a, status, a.bookedBy) };
  }

  /** `PUT …/confirm[?undo=true]`: sets `confirmed`, `RS` → `BK`; fires APPOINTMENT_CONFIRMED on a change. */
  confirm(a: Appointment, undo: boolean): Outcome {
    this.requireStatus(a, ['BK', 'RS'], undo ? 'unconfirmed' : 'confirmed');
    if (undo) {
      if (a.confirmed) {
        a.confirmed = false;
        this.audit(a, 'Unconfirmed', a.status, a.status, null);
      }
      return { appointment: a, triggers: [] };
    }
    if (a.confirmed && a.status === 'BK') return { appointment: a, triggers: [] };
    const before = a.status;
    a.confirmed = true;
    if (a.status === 'RS') {
      a.status = 'BK';
      this.arm(a);
    }
    this.audit(a, 'Confirmed', before, a.status, null);
    return { appointment: a, triggers: ['APPOINTMENT_CONFIRMED'] };
  }

  /** `PUT …/noshow`: `BK` → `NS`. */
  noShow(a: Appointment): Outcome {
    this.requireStatus(a, ['BK'], 'marked as no-show');
    a.status = 'NS';
    this.audit(a, 'NoShow', 'BK', 'NS', null);
    return { appointment: a, triggers: [] };
  }

  /** `PUT …/cancel`: `BK`/`RS` → `CN`, not past; fires APPOINTMENT_CANCELLED. */
  cancel(a: Appointment): Outcome {
    this.requireStatus(a, ['BK', 'RS'], 'cancelled');
    this.notPast(a, 'cancelled');
    const before = a.status;
    a.status = 'CN';
    this.audit(a, 'Cancelled', before, 'CN', null);
    return { appointment: a, triggers: ['APPOINTMENT_CANCELLED'] };
  }

  /**
   * `PUT …/reschedule`: `BK` only, neither the old nor the new time in the past, same location.
   * The appointment moves; an `RE` copy keeps the old time with `rescheduledId` = its id.
   */
  reschedule(a: Appointment, startMs: number, endMs: number, resourceId: string | null, serviceId: string | null): Outcome {
    this.requireStatus(a, ['BK'], 'rescheduled');
    this.notPast(a, 'rescheduled');
    if (startMs <= this.clock.now()) fail(422, 'Appointments cannot be rescheduled into the past');
    const company = this.state.company(a.companyId);
    const { service, resource } = this.placement(company, a.locationId, serviceId ?? a.serviceId, resourceId ?? a.resourceId);
    const current = this.state.service(a.companyId, a.serviceId);
    if (serviceId && current && service.duration !== current.duration) fail(400, "The new service's duration must match the original service's duration");
    if (!resource) fail(409, 'The appointment has no resource');
    if (!this.state.slotFree(resource as Resource, startMs, endMs, a.id)) fail(409, 'The requested time is not available for this resource');
    const copy: Appointment = { ...a, id: randomUUID(), status: 'RE', audit: [...a.audit], rescheduledId: a.id, reminderArmedMs: null };
    this.audit(copy, 'Rescheduled', 'BK', 'RE', null);
    this.state.data.appointments.push(copy);
    Object.assign(a, { startMs, endMs, resourceId: (resource as Resource).id, serviceId: service.id });
    this.arm(a);
    this.audit(a, 'Rescheduled', 'BK', 'BK', null);
    return { appointment: a, triggers: ['APPOINTMENT_RESCHEDULED'] };
  }

  /** `DELETE …/{id}`: only `IN`, not past; the record is removed. */
  remove(a: Appointment): Outcome {
    this.requireStatus(a, ['IN'], 'deleted');
    this.notPast(a, 'deleted');
    this.state.data.appointments = this.state.data.appointments.filter((x) => x.id !== a.id);
    return { appointment: a, triggers: [] };
  }
}
