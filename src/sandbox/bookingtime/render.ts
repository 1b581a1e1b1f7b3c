import { formatInZone } from '../framework/seed.js';
import type { Appointment, BookingResource, BookingtimeState, BookingTemplate, Customer, Organization } from './state.js';

/**
 * Entity → JSON in the documented shapes (contract §3). Dates carry the organization's offset.
 */

export function renderOrganization(o: Organization) {
  return {
    class: 'ORGANIZATION',
    id: o.id,
    customId: o.customId,
    name: o.name,
    rootOrganizationFlag: true,
    timestampAdd: formatInZone(o.timeZone, o.timestampAdd),
    timestampEdit: formatInZone(o.timeZone, o.timestampEdit),
    description: { value: o.description, inheritance: 'OFF', result: o.description },
    address: { class: 'ADDRESS', name: o.name, ...o.address },
    telephone: o.telephone,
    email: o.email,
    timeZone: o.timeZone,
    currency: o.currency,
    organizationList: [],
  };
}

export function renderResource(r: BookingResource) {
  return { class: 'BOOKING_RESOURCE', id: r.id, type: r.type, firstName: r.firstName, lastName: r.lastName };
}

export function renderTemplate(state: BookingtimeState, t: BookingTemplate) {
  return {
    class: 'BOOKING_TEMPLATE',
    id: t.id,
    customId: t.customId,
    name: t.name,
    description: t.description,
    duration: t.duration,
    showPrice: t.showPrice,
    priceGross: t.priceGross,
    currency: t.currency,
    taxRate: t.taxRate,
    customerEmailRequired: false,
    customerMobileRequired: false,
    bookingDayEarliest: t.bookingDayEarliest,
    bookingDayLatest: t.bookingDayLatest,
    bookingLeadTime: t.bookingLeadTime,
    bookingStepList: [
      {
        class: 'BOOKING_STEP',
        name: 'Employee',
        selectionQuantity: 1,
        selectionDisplay: 'BOTH',
        bookingResourceList: t.resourceIds.flatMap((id) => {
          const r = state.resources.get(id);
          return r ? [renderResource(r)] : [];
        }),
      },
    ],
  };
}

export function renderCustomerShort(c: Pick<Customer, 'id' | 'customId' | 'firstName' | 'lastName' | 'organizationId'>) {
  return { class: 'CUSTOMER_SHORT', id: c.id, customId: c.customId, firstName: c.firstName, lastName: c.lastName, organizationId: c.organizationId };
}

export function renderCustomer(org: Organization, c: Customer) {
  return {
    class: 'CUSTOMER',
    id: c.id,
    customId: c.customId,
    gender: c.gender,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    telephone: c.telephone,
    mobile: c.mobile,
    locale: c.locale,
    notes: c.notes,
    address: { class: 'ADDRESS', ...c.address },
    timestampAdd: formatInZone(org.timeZone, c.timestampAdd),
    timestampEdit: formatInZone(org.timeZone, c.timestampEdit),
    organizationId: c.organizationId,
  };
}

export function renderAppointment(state: BookingtimeState, org: Organization, a: Appointment) {
  const template = state.templates.find((t) => t.id === a.bookingTemplateId);
  const customer = state.customers.get(a.customerId) ?? { ...a.customerSnapshot, organizationId: a.organizationId };
  const zone = org.timeZone;
  return {
    class: 'APPOINTMENT',
    id: a.id,
    customId: a.customId,
    start: formatInZone(zone, a.startMs),
    end: formatInZone(zone, a.endMs),
    duration: Math.round((a.endMs - a.startMs) / 60_000),
    timeZone: zone,
    name: template?.name ?? '',
    description: template?.description ?? '',
    showPrice: template?.showPrice ?? false,
    priceGross: template?.priceGross ?? 0,
    taxRate: template?.taxRate ?? 0,
    currency: template?.currency ?? org.currency,
    customer: renderCustomerShort(customer),
    bookingTemplateId: a.bookingTemplateId,
    notes: a.notes,
    address: { name: org.name, ...org.address },
    canceled: a.canceled,
    moved: a.moved,
    protected: false,
    bookingResourceList: a.resourceIds.flatMap((id) => {
      const r = state.resources.get(id);
      return r ? [renderResource(r)] : [];
    }),
    fileList: [],
    timestampAdd: formatInZone(zone, a.timestampAdd),
    timestampEdit: formatInZone(zone, a.timestampEdit),
    organizationId: a.organizationId,
  };
}
