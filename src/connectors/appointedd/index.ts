import { z } from 'zod';
import { definePlatform } from '../platform.js';
import type { Connector, ConnectorContext, ConnectorModule, UnifiedBooking } from '../types.js';
import { finishBookingPage, mapLimit, nullIfNotFound } from '../util.js';
import { type AppointeddCredentials, appointeddCredentialsSchema, clientCredentialsStrategy } from './auth.js';
import { AppointeddClient } from './client.js';
import { toBooking, toCustomer, toOrganization, toService, toTimeSlot } from './mapping.js';
import { appointeddProvider as P } from './provider.js';
import { accountSchema, bookingSchema, customerSchema, serviceSchema, slotSchema } from './schemas.js';

export interface AppointeddSettings extends Record<string, unknown> {
  accountIds: string[];
}

type Ctx = ConnectorContext<AppointeddCredentials, AppointeddSettings>;

const DAY_MS = 86_400_000;

function build(ctx: Ctx) {
  const strategy = clientCredentialsStrategy(ctx.http, ctx.endpoints.authUrl, ctx.credentials);
  const client = new AppointeddClient(ctx.http, ctx.endpoints.apiUrl, ctx.tokens, strategy);
  return { strategy, client };
}

/** Appointedd connector (contract: shared/providers/appointedd.md). */
const module: ConnectorModule<AppointeddCredentials, AppointeddSettings> = {
  parseCredentials(input) {
    return appointeddCredentialsSchema.parse(input);
  },

  async connect(ctx) {
    const { strategy, client } = build(ctx);
    await ctx.tokens.get('default', strategy);
    const accounts = await client.all('listOrganizations', '/accounts', {}, accountSchema);
    return {
      settings: { accountIds: accounts.map((a) => a.id) },
      label: accounts.map((a) => a.attributes.name).join(', ') || 'Appointedd',
      accountId: `accounts:${accounts.map((a) => a.id).sort().join(',')}`,
    };
  },

  create(ctx): Connector {
    const { client } = build(ctx);
    const accounts = () => ctx.cache.getOrLoad('accounts', P.referenceTtlMs, () => client.all('listOrganizations', '/accounts', {}, accountSchema));
    const services = () => ctx.cache.getOrLoad('services', P.referenceTtlMs, () => client.all('listServices', '/services', {}, serviceSchema));
    const customers = () => ctx.cache.getOrLoad('customers', P.customerTtlMs, () => client.all('listCustomers', '/customers', {}, customerSchema));
    const now = () => Date.now();

    return {
          webhooks: { mode: P.webhooks.mode, events: [...P.webhooks.events] },

      async listOrganizations() {
        return (await accounts()).map(toOrganization);
      },

      async listServices(q) {
        const page = await client.page('listServices', '/services', { 'filter[account_id]': q.organizationRef }, serviceSchema, q.cursor ?? null, Math.min(q.limit, P.pageLimit));
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
        return mapLimit(refs, 8, async (r) => {
          const hit = byId.get(r);
          if (hit) return toService(hit);
          const doc = await nullIfNotFound(() => client.get('getService', `/services/${encodeURIComponent(r)}`, {}, serviceSchema));
          return doc ? toService(doc.data) : null;
        });
      },

      async getCustomers(refs) {
        // No batch-by-id filter exists: for several refs one cached listing beats N lookups.
        const byId = refs.length >= 3 ? new Map((await customers()).map((c) => [c.id, c])) : new Map();
        return mapLimit(refs, 8, async (r) => {
          const hit = byId.get(r);
          if (hit) return toCustomer(hit);
          const doc = await nullIfNotFound(() => client.get('getCustomer', `/customers/${encodeURIComponent(r)}`, {}, customerSchema));
          return doc ? toCustomer(doc.data) : null;
        });
      },

      async getBookings(refs) {
        return mapLimit(refs, 8, async (r) => {
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
        await ctx.cache.invalidate('customers');
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
        const doc = await client.post('cancelBooking', `/bookings/${encodeURIComponent(ref)}/cancel`, reason ? { meta: { reason } } : { meta: {} }, bookingSchema);
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
  },
};

/** appointedd as the gateway sees it (docs/platforms/appointedd.md). */
export const appointedd = definePlatform({
  key: P.key,
  slug: P.slug,
  displayName: P.displayName,
  hosts: P.hosts,
  sandboxHosts: P.sandboxHosts,
  docs: P.docs,
  module,
  demoCredentials: (c) => ({ clientId: c.client_id, clientSecret: c.client_secret }),
});
