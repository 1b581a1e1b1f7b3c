import { type Account, apiTime, type Booking, bookingPrice, type Customer, type Resource, type Service, totalSpaces } from './model.js';
import type { AppointeddState } from './state.js';

/**
 * Resource objects of contract §3 (attribute names and order as in the contract's examples).
 * `origin` is the serving origin; every `links.self` is absolute.
 */

const ref = (type: string, id: string) => ({ type, id });
const self = (origin: string, type: string, id: string) => ({ self: `${origin}/v2/${type}/${id}` });

export function renderAccount(origin: string, a: Account) {
  return {
    type: 'accounts',
    id: a.id,
    attributes: {
      name: a.name,
      timezone: a.timezone,
      currency: a.currency,
      locale: a.locale,
      created: apiTime(a.created),
      updated: apiTime(a.updated),
    },
    links: self(origin, 'accounts', a.id),
  };
}

export function renderService(origin: string, state: AppointeddState, s: Service) {
  const account = state.accounts.get(s.accountId) as Account;
  return {
    type: 'services',
    id: s.id,
    attributes: {
      name: s.name,
      description: s.description,
      category_id: s.categoryId,
      booking: { type: 'Hourly', durations: [...s.durations] },
      price: s.price,
      currency: account.currency,
    },
    relationships: {
      account: { data: ref('accounts', s.accountId) },
      resources: { data: s.resourceIds.map((id) => ref('resources', id)) },
    },
    links: self(origin, 'services', s.id),
  };
}

export function renderResource(origin: string, state: AppointeddState, r: Resource) {
  return {
    type: 'resources',
    id: r.id,
    attributes: { profile: { name: r.name, email: r.email, phone: r.phone } },
    relationships: {
      account: { data: ref('accounts', r.accountId) },
      services: { data: state.servicesOf(r).map((s) => ref('services', s.id)) },
    },
    links: self(origin, 'resources', r.id),
  };
}

export function renderCustomer(origin: string, c: Customer) {
  return {
    type: 'customers',
    id: c.id,
    attributes: {
      profile: { firstname: c.firstname, lastname: c.lastname, email: c.email, mobile: c.mobile, phone: c.phone },
      tags: [...c.tags],
      marketing_opt_in: c.marketingOptIn,
      created: apiTime(c.created),
      updated: apiTime(c.updated),
    },
    relationships: { account: { data: ref('accounts', c.accountId) } },
    links: self(origin, 'customers', c.id),
  };
}

export function renderBooking(origin: string, state: AppointeddState, b: Booking) {
  const account = state.accounts.get(b.accountId) as Account;
  return {
    type: 'bookings',
    id: b.id,
    attributes: {
      start: apiTime(b.start),
      end: apiTime(b.end),
      start_buffer: apiTime(b.start),
      end_buffer: apiTime(b.end),
      timezone: b.timezone,
      status: b.status,
      price: bookingPrice(b),
      currency: account.currency,
      total_spaces: totalSpaces(b),
      created_source: b.createdSource,
      cancelled_at: b.cancelledAt === null ? null : apiTime(b.cancelledAt),
      customers: b.participants.map((p) => ({
        customer_id: p.customerId,
        customer_booking_id: p.customerBookingId,
        spaces: p.spaces,
        status: p.status,
        timezone: p.timezone,
        booking_source: p.bookingSource,
        paid: p.paid,
        total_price: p.totalPrice,
        questions: [],
        created: apiTime(p.created),
      })),
      created: apiTime(b.created),
      updated: apiTime(b.updated),
    },
    relationships: {
      account: { data: ref('accounts', b.accountId) },
      service: { data: ref('services', b.serviceId) },
      resource: { data: ref('resources', b.resourceId) },
      customers: { data: b.participants.map((p) => ref('customers', p.customerId)) },
    },
    links: self(origin, 'bookings', b.id),
  };
}
