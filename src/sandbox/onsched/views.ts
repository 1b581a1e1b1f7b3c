import { formatInZone, localDate, localParts } from '../framework/seed.js';
import type { Appointment, Company, Customer, Location, Resource, Service, Webhook } from './model.js';
import type { OnSchedState } from './state.js';

/**
 * JSON views of the V1 schemas (docs/platforms/onsched.md §3, which names the public V1 OpenAPI
 * specs): bare objects with an `object` field, times with the location's offset.
 */

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `CompanyViewModel`; client credentials and V1 webhook URLs are null (§3.1, Assumed). */
export function companyView(c: Company) {
  return {
    object: 'company',
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    addressLine1: c.address.addressLine1,
    addressLine2: c.address.addressLine2,
    city: c.address.city,
    state: c.address.state,
    country: c.address.country,
    postalCode: c.address.postalCode,
    timezoneName: c.timezoneName,
    timezoneId: c.timezoneId,
    registrationDate: c.registrationDate,
    deletedStatus: false,
    clientId: null,
    clientSecret: null,
    bookingWebhookUrl: null,
    customerWebhookUrl: null,
    reminderWebhookUrl: null,
    resourceWebhookUrl: null,
    webhookSignatureHash: null,
  };
}

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const military = (minutes: number) => Math.floor(minutes / 60) * 100 + (minutes % 60);

/** `LocationViewModel`. */
export function locationView(state: OnSchedState, l: Location) {
  const businessHours = Object.fromEntries(
    DAY_KEYS.map((k, i) => {
      const h = l.hours[i];
      return [
        k,
        h
          ? { isOpen: true, is24Hours: false, startTime: military(h.open), endTime: military(h.close) }
          : { isOpen: false, is24Hours: false, startTime: 0, endTime: 0 },
      ];
    }),
  );
  return {
    object: 'location',
    id: l.id,
    companyId: l.companyId,
    companyName: state.company(l.companyId).name,
    name: l.name,
    primaryBusiness: l.primaryBusiness,
    primaryCalendarId: l.primaryCalendarId,
    timezoneIana: l.timezoneIana,
    timezoneId: l.timezoneId,
    email: l.email,
    phone: l.phone,
    address: { ...l.address },
    businessHours,
  };
}

/** `ServiceViewModel`. */
export function serviceView(s: Service) {
  return {
    object: 'service',
    id: s.id,
    companyId: s.companyId,
    locationId: s.locationId,
    name: s.name,
    description: s.description,
    duration: s.duration,
    bookingInterval: s.bookingInterval,
    feeAmount: s.feeAmount,
    defaultService: s.defaultService,
    maxCapacity: s.maxCapacity,
    showOnline: s.showOnline,
    serviceGroupId: null,
  };
}

/** `ResourceViewModel`. */
export function resourceView(r: Resource) {
  return { object: 'resource', id: r.id, locationId: r.locationId, name: r.name, email: r.email, timezoneIana: r.timezoneIana };
}

/** `CustomerViewModel`; `createdOn`/`modifiedOn` in UTC. */
export function customerView(c: Customer) {
  return {
    object: 'customer',
    id: c.id,
    locationId: c.locationId,
    firstname: c.firstname,
    lastname: c.lastname,
    name: c.name,
    businessName: c.type === 1 ? c.name : null,
    email: c.email,
    contact: { ...c.contact },
    notificationType: c.notificationType,
    deletedStatus: false,
    createdOn: iso(c.createdMs),
    modifiedOn: iso(c.modifiedMs),
  };
}

/** `AppointmentViewModel` (§3.4): `date`/`time`/times in the location's zone and offset. */
export function appointmentView(state: OnSchedState, a: Appointment) {
  const location = state.locationById(a.locationId);
  const tz = location.timezoneIana;
  const service = state.service(a.companyId, a.serviceId);
  const resource = a.resourceId ? state.resource(a.companyId, a.resourceId) : undefined;
  const p = localParts(tz, a.startMs);
  return {
    object: 'appointment',
    id: a.id,
    status: a.status,
    confirmed: a.confirmed,
    date: localDate(tz, a.startMs),
    time: p.hh * 100 + p.mm,
    startDateTime: formatInZone(tz, a.startMs),
    endDateTime: formatInZone(tz, a.endMs),
    duration: Math.round((a.endMs - a.startMs) / 60_000),
    timezoneIana: tz,
    timezoneId: location.timezoneId,
    locationId: a.locationId,
    businessName: location.name,
    calendarId: location.primaryCalendarId,
    serviceId: a.serviceId,
    serviceName: service?.name ?? null,
    serviceAllocationId: null,
    resourceId: a.resourceId,
    resourceName: resource?.name ?? null,
    customerId: a.customerId,
    name: a.name,
    firstname: a.firstname,
    lastname: a.lastname,
    email: a.email,
    phone: a.phone,
    notes: a.notes,
    customerMessage: a.customerMessage,
    confirmationNumber: a.confirmationNumber,
    bookedBy: a.bookedBy,
    onlineBooking: a.onlineBooking,
    rescheduledId: a.rescheduledId,
    customFields: {},
    ipAddress: null,
    stripeChargeId: null,
    stripeRefundId: null,
    auditTrail: a.audit.map((e) => ({
      id: e.id,
      appointmentId: a.id,
      modificationType: e.modificationType,
      modifiedBy: e.modifiedBy,
      modifiedOn: formatInZone(tz, e.modifiedMs),
      statusBefore: e.statusBefore,
      statusAfter: e.statusAfter,
    })),
    createDate: formatInZone(tz, a.createdMs),
    lastModifiedOn: formatInZone(tz, a.modifiedMs),
  };
}

/** The appointment in a webhook body: §3.4 without the sensitive fields (§4, Assumed). */
export function webhookAppointmentView(state: OnSchedState, a: Appointment) {
  const { ipAddress, stripeChargeId, stripeRefundId, auditTrail, ...rest } = appointmentView(state, a);
  return rest;
}

/** A V3 webhook as the `/v3/webhook` routes show it (§4). */
export function webhookView(w: Webhook) {
  return {
    id: w.id,
    locationId: w.locationId,
    url: w.url,
    headers: { ...w.headers },
    triggers: [...w.triggers],
    active: w.active,
    createdAt: new Date(w.createdMs).toISOString(),
  };
}
