import { ProviderError } from '../errors.js';
import { collectPages } from '../paging.js';
import type { BookingQuery, Connector, ConnectorContext, UnifiedBooking } from '../types.js';
import { byStartThenRef, finishBookingPage, lowerBoundMs, mapLimit, nullIfNotFound, windowsOf } from '../util.js';
import type { YAppointmentCredentials } from './auth.js';
import type { YAppointmentClient } from './client.js';
import { nativeStatuses, toBooking, toCustomer, toOrganization, toService, toTimeSlots } from './mapping.js';
import { yappointmentProvider as P } from './provider.js';
import { type BookingRecord, bookingSchema, companySchema, customerSchema, serviceSchema, slotSchema } from './schemas.js';

/** How unified queries become yAppointment v1 calls (docs/platforms/yappointment.md §3, §6). */

export interface YAppointmentSettings extends Record<string, unknown> {
  /** The company the grant is bound to (`_id`), chosen on the consent page. */
  companyId: string;
  timezone: string | null;
}

type Ctx = ConnectorContext<YAppointmentCredentials, YAppointmentSettings>;

/** The `Connector` methods: everything but what the platform declares (`webhooks`). */
export type YAppointmentQueries = Omit<Connector, 'webhooks'>;

/** The company the grant reaches (`GET /me`, §3.1), read under `operation`. */
export function grantCompany(client: YAppointmentClient, operation: string) {
  return client.get(operation, '/me', companySchema);
}

/**
 * True when `ref` can be a yAppointment record id: ids are a documented prefix and digits (`srv_…`,
 * `bkg_…`, §3) or a 24-hex ObjectId, so anything outside `[A-Za-z0-9_-]{1,64}` names nothing and is
 * not found without a call (a blank one is a 400 VALIDATION_ERROR at the platform).
 */
export const isPlatformId = (ref: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(ref);

/** A connector cursor (the next 1-based page number) back to a number; anything else starts over. */
function pageOf(cursor: string | null | undefined): number {
  const n = cursor ? Number(cursor) : 1;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * The `filter` body of a bookings list (§3.4) for a query: the platform filters `start >= from`
 * (the later of `startsAfter` and the keyset position, so bookings tied with `after` on start are
 * still fetched), `start < to`, statuses and customer. Null when the query cannot match anything.
 */
export function bookingFilter(q: BookingQuery, companyId: string): Record<string, unknown> | null {
  if (q.organizationRef !== undefined && q.organizationRef !== companyId) return null;
  const filter: Record<string, unknown> = {};
  const lower = lowerBoundMs(q);
  if (lower !== undefined) filter.from = new Date(lower).toISOString();
  if (q.startsBefore) filter.to = q.startsBefore.toISOString();
  if (q.statuses?.length) {
    const native = nativeStatuses(q.statuses);
    if (native.length === 0) return null;
    filter.status = native;
  }
  if (q.customerRef) filter.customerId = q.customerRef;
  return filter;
}

/**
 * True when the bookings fetched so far settle a page of `limit`: enough of them pass the query, and
 * the last one fetched starts after the page's last one, so no booking tied with it on start (which
 * may sort before it by ref) is still on a later platform page. Pure.
 */
export function pageSettled(kept: readonly UnifiedBooking[], lastFetched: UnifiedBooking | undefined, limit: number): boolean {
  if (kept.length < limit || !lastFetched) return false;
  const boundary = [...kept].sort(byStartThenRef)[limit - 1];
  return lastFetched.startsAt.getTime() > boundary.startsAt.getTime();
}

/**
 * How many bookings each page of a listing asks for (pure), at most `P.pageLimit`: the platform
 * filters exactly (`bookingFilter`) and sorts like the connector, so `query.limit` and one more (whose
 * later start shows the page is settled), plus one for the keyset position itself, which `from`
 * includes. Every page of one listing has the same size (pages are numbered, §3 "Lists").
 */
export function bookingPageSize(query: BookingQuery): number {
  return Math.min(P.pageLimit, query.limit + 1 + (query.after ? 1 : 0));
}

/**
 * The queries of one connection over `client`; one connection is one company
 * (`ctx.settings.companyId`). Cached in `ctx.cache`: the company and services for
 * `P.referenceTtlMs`, the customer listing (batch customer gets) for `P.customerTtlMs`; creating a
 * customer drops the latter. Every method throws `ProviderError`.
 */
export function yappointmentQueries(ctx: Ctx, client: YAppointmentClient): YAppointmentQueries {
  const { cache } = ctx;
  const companyId = ctx.settings.companyId;
  const company = () => cache.getOrLoad('company', P.referenceTtlMs, () => grantCompany(client, 'listOrganizations'));
  const services = () => cache.getOrLoad('services', P.referenceTtlMs, () => client.all('listServices', '/services', {}, serviceSchema));
  const customers = () => cache.getOrLoad('customers', P.customerTtlMs, () => client.all('listCustomers', '/customers', {}, customerSchema));
  const foreign = (organizationRef: string | undefined) => organizationRef !== undefined && organizationRef !== companyId;

  return {
    async listOrganizations() {
      return [toOrganization(await company())];
    },

    async listServices(q) {
      if (foreign(q.organizationRef)) return { items: [], nextCursor: null };
      const page = pageOf(q.cursor);
      const p = await client.page('listServices', '/services', {}, page, q.limit, serviceSchema);
      return { items: p.items.map((s) => toService(s, companyId)), nextCursor: p.hasMore ? String(page + 1) : null };
    },

    async listCustomers(q) {
      if (foreign(q.organizationRef)) return { items: [], nextCursor: null };
      const search = q.search?.trim();
      const page = pageOf(q.cursor);
      const p = await client.page('listCustomers', '/customers', search ? { search } : {}, page, q.limit, customerSchema);
      return { items: p.items.map((c) => toCustomer(c, companyId)), nextCursor: p.hasMore ? String(page + 1) : null };
    },

    async listBookings(q) {
      const filter = bookingFilter(q, companyId);
      if (!filter || q.limit <= 0) return [];
      // The platform sorts by start then id, the connector's own order: page until the page is settled.
      const kept: UnifiedBooking[] = []; // every booking kept so far, for the stop rule
      const limit = bookingPageSize(q);
      const passing = await collectPages(P.key, 'listBookings', async (cursor: number | null) => {
        const page = cursor ?? 1;
        const p = await client.page('listBookings', '/bookings', filter, page, limit, bookingSchema);
        const mapped = p.items.map((b: BookingRecord) => toBooking(b, companyId));
        const fresh = finishBookingPage(mapped, { ...q, limit: mapped.length });
        kept.push(...fresh);
        const last = !p.hasMore || p.items.length === 0 || pageSettled(kept, mapped.at(-1), q.limit);
        return { items: fresh, next: last ? null : page + 1 };
      });
      return finishBookingPage(passing, q);
    },

    async getOrganizations(refs) {
      const c = await company();
      return refs.map((r) => (r === c._id ? toOrganization(c) : null));
    },

    async getServices(refs) {
      // A company has a handful of services: one cached listing answers every ref it knows.
      const byId = new Map((await services()).map((s) => [s.id, s]));
      return mapLimit(refs, P.concurrency, async (r) => {
        const hit = byId.get(r);
        if (hit) return toService(hit, companyId);
        if (!isPlatformId(r)) return null;
        const s = await nullIfNotFound(() => client.get('getService', `/services/${encodeURIComponent(r)}`, serviceSchema));
        return s ? toService(s, companyId) : null;
      });
    },

    async getCustomers(refs) {
      // No batch-by-id filter exists: for several refs one cached listing beats a look-up each.
      const byId = refs.length >= P.customerListingMinRefs ? new Map((await customers()).map((c) => [c.id, c])) : new Map();
      return mapLimit(refs, P.concurrency, async (r) => {
        const hit = byId.get(r);
        if (hit) return toCustomer(hit, companyId);
        if (!isPlatformId(r)) return null;
        const c = await nullIfNotFound(() => client.get('getCustomer', `/customers/${encodeURIComponent(r)}`, customerSchema));
        return c ? toCustomer(c, companyId) : null;
      });
    },

    async getBookings(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        if (!isPlatformId(r)) return null;
        const b = await nullIfNotFound(() => client.get('getBooking', `/bookings/${encodeURIComponent(r)}`, bookingSchema));
        return b ? toBooking(b, companyId) : null;
      });
    },

    async createCustomer(input) {
      if (foreign(input.organizationRef)) {
        throw new ProviderError(P.key, 'createCustomer', 'NOT_FOUND', 'yAppointment: that organization is not the company of this connection');
      }
      if (!input.email) {
        throw new ProviderError(P.key, 'createCustomer', 'BAD_USER_INPUT', 'yAppointment requires an email address to create a customer');
      }
      const c = await client.write(
        'createCustomer',
        '/customers/create',
        { firstName: input.firstName, lastName: input.lastName, email: input.email, ...(input.phone ? { phone: input.phone } : {}) },
        customerSchema,
      );
      await cache.invalidate('customers');
      return toCustomer(c, companyId);
    },

    async createBooking(input) {
      const b = await client.write(
        'createBooking',
        '/bookings/create',
        { serviceId: input.serviceRef, customerId: input.customerRef, start: input.startsAt.toISOString().replace(/\.000Z$/, 'Z') },
        bookingSchema,
      );
      return toBooking(b, companyId);
    },

    async cancelBooking(ref, reason): Promise<UnifiedBooking> {
      if (!isPlatformId(ref)) throw new ProviderError(P.key, 'cancelBooking', 'BAD_USER_INPUT', 'yAppointment has no booking with this id');
      const b = await client.write('cancelBooking', `/bookings/${encodeURIComponent(ref)}/cancel`, reason ? { reason } : {}, bookingSchema);
      return toBooking(b, companyId);
    },

    async availability(serviceRef, from, to) {
      if (!isPlatformId(serviceRef)) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'yAppointment has no service with this id');
      // The platform answers at most 31 days per call (§3.5): walk the range in windows.
      const slots = [];
      for (const { start, end } of windowsOf(from.getTime(), to.getTime(), P.availabilityMaxDays)) {
        const body = { serviceId: serviceRef, from: start.toISOString(), to: end.toISOString() };
        slots.push(...(await client.queryList('availability', '/slots', body, slotSchema)));
      }
      return toTimeSlots(slots, serviceRef);
    },
  };
}
