import { z } from 'zod';
import type { Connector, ConnectorContext, UnifiedBooking } from '../types.js';
import { finishBookingPage, mapLimit, nullIfNotFound } from '../util.js';
import type { AppointeddCredentials } from './auth.js';
import type { AppointeddClient } from './client.js';
import { toBooking, toCustomer, toOrganization, toService, toTimeSlot } from './mapping.js';
import { appointeddProvider as P } from './provider.js';
import { accountSchema, bookingSchema, customerSchema, serviceSchema, slotSchema } from './schemas.js';

/** How unified queries become Appointedd JSON API v2 calls (docs/platforms/appointedd.md §3, §6). */

export interface AppointeddSettings extends Record<string, unknown> {
  /** The accounts the client reached at connect time. */
  accountIds: string[];
}

type Ctx = ConnectorContext<AppointeddCredentials, AppointeddSettings>;

/** The `Connector` methods: everything but what the platform declares (`webhooks`). */
export type AppointeddQueries = Omit<Connector, 'webhooks'>;

const DAY_MS = 86_400_000;

/** Every account the client reaches, all pages (`GET /accounts`): the connection's organizations. */
export function listAccounts(client: AppointeddClient) {
  return client.all('listOrganizations', '/accounts', {}, accountSchema);
}

/**
 * The queries of one connection over `client`. Reference data is cached in `ctx.cache`: accounts and
 * services for `P.referenceTtlMs`, the customer listing (batch customer gets) for `P.customerTtlMs`;
 * creating a customer drops the latter. Every method throws `ProviderError`.
 */
export function appointeddQueries(ctx: Ctx, client: AppointeddClient): AppointeddQueries {
  const { cache } = ctx;
  const accounts = () => cache.getOrLoad('accounts', P.referenceTtlMs, () => listAccounts(client));
  const services = () => cache.getOrLoad('services', P.referenceTtlMs, () => client.all('listServices', '/services', {}, serviceSchema));
  const customers = () => cache.getOrLoad('customers', P.customerTtlMs, () => client.all('listCustomers', '/customers', {}, customerSchema));
  /** For COMPLETED (a booking whose end has passed): the data's clock, not token time. */
  const now = () => Date.now();

  return {
    async listOrganizations() {
      return (await accounts()).map(toOrganization);
    },

    async listServices(q) {
      const page = await client.page(
        'listServices',
        '/services',
        { 'filter[account_id]': q.organizationRef },
        serviceSchema,
        q.cursor ?? null,
        Math.min(q.limit, P.pageLimit),
      );
      return { items: page.items.map(toService), nextCursor: page.next };
    },

    async listCustomers(q) {
      const search = q.search?.trim();
      const filter = search ? (search.includes('@') ? { 'filter[email]': search } : { 'filter[name]': search }) : {};
      const page = await client.page(
        'listCustomers',
        '/customers',
        { 'filter[account_id]': q.organizationRef, ...filter },
        customerSchema,
        q.cursor ?? null,
        Math.min(q.limit, P.pageLimit),
      );
      return { items: page.items.map(toCustomer), nextCursor: page.next };
    },

    async listBookings(q) {
      // The platform orders newest-first and cannot sort: narrow with start_gte (the keyset
      // position or the filter, whichever is later), fetch the window, then order locally.
      const lower = [q.startsAfter, q.after?.startsAt].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
      const items = await client.all(
        'listBookings',
        '/bookings',
        {
          'filter[account_id]': q.organizationRef,
          'filter[customer_id]': q.customerRef,
          'filter[start_gte]': lower?.toISOString(),
        },
        bookingSchema,
      );
      return finishBookingPage(
        items.map((b) => toBooking(b, now())),
        q,
      );
    },

    async getOrganizations(refs) {
      const byId = new Map((await accounts()).map((a) => [a.id, a]));
      return refs.map((r) => {
        const a = byId.get(r);
        return a ? toOrganization(a) : null;
      });
    },

    async getServices(refs) {
      const byId = new Map((await services()).map((s) => [s.id, s]));
      return mapLimit(refs, P.concurrency, async (r) => {
        const hit = byId.get(r);
        if (hit) return toService(hit);
        const doc = await nullIfNotFound(() => client.get('getService', `/services/${encodeURIComponent(r)}`, {}, serviceSchema));
        return doc ? toService(doc.data) : null;
      });
    },

    async getCustomers(refs) {
      // No batch-by-id filter exists: for several refs one cached listing beats N lookups.
      const byId = refs.length >= P.customerListingMinRefs ? new Map((await customers()).map((c) => [c.id, c])) : new Map();
      return mapLimit(refs, P.concurrency, async (r) => {
        const hit = byId.get(r);
        if (hit) return toCustomer(hit);
        const doc = await nullIfNotFound(() => client.get('getCustomer', `/customers/${encodeURIComponent(r)}`, {}, customerSchema));
        return doc ? toCustomer(doc.data) : null;
      });
    },

    async getBookings(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const doc = await nullIfNotFound(() => client.get('getBooking', `/bookings/${encodeURIComponent(r)}`, {}, bookingSchema));
        return doc ? toBooking(doc.data, now()) : null;
      });
    },

    async createCustomer(input) {
      const doc = await client.post(
        'createCustomer',
        '/customers',
        {
          data: {
            type: 'customers',
            attributes: {
              profile: {
                firstname: input.firstName,
                lastname: input.lastName,
                ...(input.email ? { email: input.email } : {}),
                ...(input.phone ? { mobile: input.phone } : {}),
              },
            },
            relationships: { account: { data: { type: 'accounts', id: input.organizationRef } } },
          },
        },
        customerSchema,
      );
      await cache.invalidate('customers');
      return toCustomer(doc.data);
    },

    async createBooking(input) {
      const doc = await client.post(
        'createBooking',
        '/bookings',
        {
          data: {
            type: 'bookings',
            attributes: { start: input.startsAt.toISOString(), customers: [{ customer_id: input.customerRef, spaces: 1 }] },
            relationships: { service: { data: { type: 'services', id: input.serviceRef } } },
          },
        },
        bookingSchema,
      );
      return toBooking(doc.data, now());
    },

    async cancelBooking(ref, reason): Promise<UnifiedBooking> {
      const doc = await client.post(
        'cancelBooking',
        `/bookings/${encodeURIComponent(ref)}/cancel`,
        reason ? { meta: { reason } } : { meta: {} },
        bookingSchema,
      );
      return toBooking(doc.data, now());
    },

    async availability(serviceRef, from, to) {
      // The platform answers at most 42 days per call: walk the range in windows.
      const out = [];
      for (let start = from.getTime(); start < to.getTime(); start += P.availabilityMaxDays * DAY_MS) {
        const end = Math.min(to.getTime(), start + P.availabilityMaxDays * DAY_MS);
        const doc = await client.get(
          'availability',
          '/availability/slots',
          { 'filter[service_id]': serviceRef, 'filter[start]': new Date(start).toISOString(), 'filter[end]': new Date(end).toISOString() },
          z.array(slotSchema),
        );
        out.push(...doc.data.map((s) => toTimeSlot(s, serviceRef)));
      }
      return out;
    },
  };
}
