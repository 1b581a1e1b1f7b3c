import type { z } from 'zod';
import { ProviderError } from '../errors.js';
import type { BookingQuery, Connector, ConnectorContext, UnifiedBooking, UnifiedCustomer } from '../types.js';
import { finishBookingPage, mapLimit, nullIfNotFound } from '../util.js';
import { appIdOf, type BookingtimeCredentials } from './auth.js';
import type { BookingtimeClient } from './client.js';
import { addMonths, localDate, monthsCovering, parseRef, refOf, toBooking, toCustomer, toOrganization, toService, toTimeSlot } from './mapping.js';
import { bookingtimeProvider as P } from './provider.js';
import {
  appointmentSchema,
  bookingSlotSchema,
  bookingTemplateSchema,
  customerSchema,
  listOf,
  organizationSchema,
  paginationListOf,
  rangeListOf,
} from './schemas.js';

/** How unified queries become bookingtime App API v3 calls (docs/platforms/bookingtime.md §3, §6). */

/** One organization the app may access, as discovered at connect time. */
export interface BookingtimeOrganization {
  id: string;
  name: string;
  timeZone: string | null;
}

export interface BookingtimeSettings extends Record<string, unknown> {
  appId: string;
  organizations: BookingtimeOrganization[];
}

type Ctx = ConnectorContext<BookingtimeCredentials, BookingtimeSettings>;

/** The `Connector` methods: everything but what the platform declares (`webhooks`). */
export type BookingtimeQueries = Omit<Connector, 'webhooks'>;

const DAY_MS = 86_400_000;

const fail = (operation: string, message: string) => new ProviderError(P.key, operation, 'BAD_USER_INPUT', message);

/**
 * The organizations the app may access (§3.1), read with the organization-less token and cached for
 * `P.referenceTtlMs` under the connection's namespace: the listing `connect` makes is the one the
 * first `organizations` query reuses.
 */
export function organizationListing(ctx: Ctx, client: BookingtimeClient) {
  const appId = appIdOf(ctx.credentials);
  return ctx.cache.getOrLoad('organizations', P.referenceTtlMs, () =>
    client.app('listOrganizations', { path: `/app/${encodeURIComponent(appId)}/organization/list` }, listOf(organizationSchema)),
  );
}

/**
 * The queries of one connection over the organizations it discovered (`ctx.settings`). Refs are
 * `<organizationId>:<id>` (`refOf`); a ref of an organization outside the connection is answered
 * without a call (null, NOT_FOUND or BAD_USER_INPUT). Every method throws `ProviderError`.
 */
export function bookingtimeQueries(ctx: Ctx, client: BookingtimeClient): BookingtimeQueries {
  const known = new Map(ctx.settings.organizations.map((o) => [o.id, o]));
  // The mapping's "now" (COMPLETED) and the past-month cache decision: the gateway's wall clock.
  const now = () => Date.now();
  const zoneOf = (o: BookingtimeOrganization) => o.timeZone ?? 'UTC';

  /** The organizations a query covers: one (when named and known) or all of the connection. */
  const scopeOf = (organizationRef?: string): BookingtimeOrganization[] => {
    if (!organizationRef) return ctx.settings.organizations;
    const o = known.get(organizationRef);
    return o ? [o] : [];
  };
  /** Splits a ref and checks its organization belongs to the connection (no call otherwise). */
  const locate = (ref: string) => {
    const r = parseRef(ref);
    const organization = r && known.get(r.organizationId);
    return r && organization ? { organization, id: r.id } : null;
  };

  const templates = (orgId: string) =>
    ctx.cache.getOrLoad(
      `templates:${orgId}`,
      P.referenceTtlMs,
      async () => (await client.organization(orgId, 'listServices', { path: '/bookingTemplate/list' }, listOf(bookingTemplateSchema))).recordList,
    );
  const template = async (orgId: string, id: string) =>
    (await templates(orgId)).find((t) => t.id === id) ??
    (await nullIfNotFound(() => client.organization(orgId, 'getService', { path: `/bookingTemplate/${encodeURIComponent(id)}/show` }, bookingTemplateSchema)));
  const organizationShow = (orgId: string) =>
    ctx.cache.getOrLoad(`organization:${orgId}`, P.referenceTtlMs, () => client.organization(orgId, 'getOrganization', { path: '/show' }, organizationSchema));
  const customerListing = (orgId: string) =>
    ctx.cache.getOrLoad(`customers:${orgId}`, P.customerTtlMs, () => client.all(orgId, 'getCustomers', (p) => `/customer/index/${p}`, customerSchema));

  /**
   * One calendar month of an organization's appointments. A month that ended more than a day ago
   * cannot change any more (ended appointments can be neither cancelled nor moved, §3.4), so it is
   * cached for `P.pastMonthTtlMs`; other months are always read fresh.
   */
  const monthOf = (o: BookingtimeOrganization, y: number, m: number) => {
    const read = () => client.organization(o.id, 'listBookings', { path: `/appointment/year/${y}/month/${m}/listMonth` }, rangeListOf(appointmentSchema));
    const nextMonth = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
    const endsMs = Date.UTC(nextMonth.y, nextMonth.m - 1, 1) + DAY_MS; // a day of slack for any time zone
    return endsMs + DAY_MS < now() ? ctx.cache.getOrLoad(`month:${o.id}:${y}-${m}`, P.pastMonthTtlMs, read) : read();
  };

  /**
   * Bookings of one organization for `q`, walking local calendar months from `fromMs` forward
   * (there is no status or updated-since filter, §3.4) and stopping once `q.limit` match: a month's
   * appointments all start before the next month's, so the first `limit` are then known.
   */
  const bookingsByMonth = async (o: BookingtimeOrganization, q: BookingQuery, fromMs: number, toMs: number) => {
    const out: UnifiedBooking[] = [];
    const months = monthsCovering(zoneOf(o), fromMs, toMs, P.bookingLookbackMonths + P.bookingHorizonMonths + 2);
    // Months are fetched a few at a time (in order), so a long empty look-back costs round trips
    // of `monthsInFlight` months rather than one per month.
    for (let i = 0; i < months.length && out.length < q.limit; i += P.monthsInFlight) {
      const batch = months.slice(i, i + P.monthsInFlight);
      const ranges = await Promise.all(batch.map(({ y, m }) => monthOf(o, y, m)));
      const t = now();
      for (const range of ranges) {
        out.push(
          ...finishBookingPage(
            range.list.map((a) => toBooking(o.id, a, t)),
            { ...q, limit: Number.MAX_SAFE_INTEGER },
          ),
        );
      }
    }
    return out;
  };

  const customersOf = async (refs: readonly string[]): Promise<Array<UnifiedCustomer | null>> => {
    const perOrg = new Map<string, number>();
    for (const r of refs) {
      const at = locate(r);
      if (at) perOrg.set(at.organization.id, (perOrg.get(at.organization.id) ?? 0) + 1);
    }
    // No batch-by-id route exists: for several customers of one organization, one cached listing beats N shows.
    const listings = new Map<string, Map<string, z.infer<typeof customerSchema>>>();
    await Promise.all(
      [...perOrg]
        .filter(([, n]) => n >= P.customerListingMinRefs)
        .map(async ([orgId]) => listings.set(orgId, new Map((await customerListing(orgId)).map((c) => [c.id, c])))),
    );
    return mapLimit(refs, P.concurrency, async (r) => {
      const at = locate(r);
      if (!at) return null;
      const hit = listings.get(at.organization.id)?.get(at.id);
      if (hit) return toCustomer(at.organization.id, hit);
      const c = await nullIfNotFound(() =>
        client.organization(at.organization.id, 'getCustomer', { path: `/customer/${encodeURIComponent(at.id)}/show` }, customerSchema),
      );
      return c ? toCustomer(at.organization.id, c) : null;
    });
  };

  return {
    async listOrganizations() {
      const list = await organizationListing(ctx, client);
      return list.recordList.map(toOrganization);
    },

    async listServices(q) {
      const all = (await mapLimit(scopeOf(q.organizationRef), P.concurrency, async (o) => (await templates(o.id)).map((t) => toService(o.id, t)))).flat();
      const offset = q.cursor && /^\d+$/.test(q.cursor) ? Number(q.cursor) : 0;
      const end = offset + Math.max(1, q.limit);
      return { items: all.slice(offset, end), nextCursor: end < all.length ? String(end) : null };
    },

    async listCustomers(q) {
      // One platform page (25) per call; the cursor names the organization and its page.
      const orgs = scopeOf(q.organizationRef);
      const [orgId, pageText] = (q.cursor ?? '').split(':');
      const index = q.cursor ? orgs.findIndex((o) => o.id === orgId) : 0;
      const page = q.cursor ? Number(pageText) : 1;
      if (index < 0 || index >= orgs.length || !Number.isInteger(page) || page < 1) return { items: [], nextCursor: null };
      const o = orgs[index];
      const search = q.search?.trim();
      const list = await client.organization(
        o.id,
        'listCustomers',
        search ? { path: `/customer/filter/${page}`, query: { searchQuery: search } } : { path: `/customer/index/${page}` },
        paginationListOf(customerSchema),
      );
      const nextCursor = page < list.pageTotal && list.recordList.length > 0 ? `${o.id}:${page + 1}` : orgs[index + 1] ? `${orgs[index + 1].id}:1` : null;
      return { items: list.recordList.map((c) => toCustomer(o.id, c)), nextCursor };
    },

    async listBookings(q) {
      if (q.customerRef) {
        const at = locate(q.customerRef);
        if (!at || (q.organizationRef && q.organizationRef !== at.organization.id)) return [];
        const id = encodeURIComponent(at.id);
        const records = await client.all(at.organization.id, 'listBookings', (p) => `/customer/${id}/appointment/index/${p}`, appointmentSchema);
        const t = now();
        return finishBookingPage(
          records.map((a) => toBooking(at.organization.id, a, t)),
          q,
        );
      }
      // Bounds: the later of startsAfter and the keyset position, else a fixed look-back; the
      // upper bound is startsBefore, else a fixed horizon past the lower bound (or now).
      const lowers = [q.startsAfter, q.after?.startsAt].filter((d): d is Date => !!d).map((d) => d.getTime());
      const fromMs = lowers.length ? Math.max(...lowers) : addMonths(now(), -P.bookingLookbackMonths);
      const toMs = q.startsBefore ? q.startsBefore.getTime() : addMonths(Math.max(fromMs, now()), P.bookingHorizonMonths);
      const lists = await Promise.all(scopeOf(q.organizationRef).map((o) => bookingsByMonth(o, q, fromMs, toMs)));
      return finishBookingPage(lists.flat(), q);
    },

    async getOrganizations(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        if (!known.has(r)) return null;
        const o = await nullIfNotFound(() => organizationShow(r));
        return o ? toOrganization(o) : null;
      });
    },

    async getServices(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const at = locate(r);
        const t = at && (await template(at.organization.id, at.id));
        return at && t ? toService(at.organization.id, t) : null;
      });
    },

    getCustomers: customersOf,

    async getBookings(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const at = locate(r);
        if (!at) return null;
        const a = await nullIfNotFound(() =>
          client.organization(at.organization.id, 'getBooking', { path: `/appointment/${encodeURIComponent(at.id)}/show` }, appointmentSchema),
        );
        return a ? toBooking(at.organization.id, a, now()) : null;
      });
    },

    async createCustomer(input) {
      const o = known.get(input.organizationRef);
      if (!o) throw fail('createCustomer', 'the organization is not one this bookingtime connection may access');
      const created = await client.organization(
        o.id,
        'createCustomer',
        {
          path: '/customer/add',
          method: 'POST',
          write: true,
          json: {
            firstName: input.firstName,
            lastName: input.lastName,
            ...(input.email ? { email: input.email } : {}),
            ...(input.phone ? { mobile: input.phone } : {}),
          },
        },
        customerSchema,
      );
      await ctx.cache.invalidate(`customers:${o.id}`);
      // The answer is the short form (§3.3): read the full record for e-mail and phone.
      const full = await nullIfNotFound(() =>
        client.organization(o.id, 'createCustomer', { path: `/customer/${encodeURIComponent(created.id)}/show` }, customerSchema),
      );
      return toCustomer(o.id, full ?? created);
    },

    /**
     * Books the free slot of the template that starts exactly at `startsAt` (listDay of that local
     * date, §6), then `appointment/add`. No such slot, a taken slot (409) or a bad customer (400)
     * → BAD_USER_INPUT with the reason.
     */
    async createBooking(input) {
      const service = locate(input.serviceRef);
      const customer = locate(input.customerRef);
      if (!service || !customer) throw fail('createBooking', 'the service or customer is not one this bookingtime connection may access');
      if (service.organization.id !== customer.organization.id) {
        throw fail('createBooking', 'the service and the customer belong to different bookingtime organizations');
      }
      const o = service.organization;
      const { y, m, d } = localDate(zoneOf(o), input.startsAt.getTime());
      const day = await nullIfNotFound(() =>
        client.organization(
          o.id,
          'createBooking',
          { path: `/bookingTemplate/${encodeURIComponent(service.id)}/bookingSlot/year/${y}/month/${m}/day/${d}/listDay` },
          rangeListOf(bookingSlotSchema),
        ),
      );
      if (!day) throw fail('createBooking', 'bookingtime does not know this service (booking template)');
      const slot = day.list.find((s) => Date.parse(s.timestamp) === input.startsAt.getTime());
      if (!slot) {
        throw fail(
          'createBooking',
          `bookingtime has no free booking slot of this service starting at ${input.startsAt.toISOString()} (taken, outside opening hours or the booking window, or not on the slot grid); ask availability for free start times`,
        );
      }
      const a = await client.organization(
        o.id,
        'createBooking',
        { path: '/appointment/add', method: 'POST', write: true, json: { bookingSlotId: slot.id, customerId: customer.id } },
        appointmentSchema,
      );
      return toBooking(o.id, a, now());
    },

    /** PUT cancel without body (§3.4); bookingtime keeps no reason, so `reason` is not sent. */
    async cancelBooking(ref) {
      const at = locate(ref);
      if (!at) throw new ProviderError(P.key, 'cancelBooking', 'NOT_FOUND', 'bookingtime has no such appointment in this connection');
      const a = await client.organization(
        at.organization.id,
        'cancelBooking',
        { path: `/appointment/${encodeURIComponent(at.id)}/cancel`, method: 'PUT', write: true },
        appointmentSchema,
      );
      return toBooking(at.organization.id, a, now());
    },

    /** Free booking slots per local month of the range; each lasts the template's duration. */
    async availability(serviceRef, from, to) {
      const at = locate(serviceRef);
      if (!at) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'bookingtime has no such service in this connection');
      const t = await template(at.organization.id, at.id);
      if (!t) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'bookingtime has no such booking template');
      const duration = Number(t.duration) || 0;
      const ref = refOf(at.organization.id, at.id);
      const months = monthsCovering(zoneOf(at.organization), from.getTime(), to.getTime(), P.availabilityMaxMonths);
      const lists = await mapLimit(months, P.monthsInFlight, ({ y, m }) =>
        client.organization(
          at.organization.id,
          'availability',
          { path: `/bookingTemplate/${encodeURIComponent(at.id)}/bookingSlot/year/${y}/month/${m}/listMonth` },
          rangeListOf(bookingSlotSchema),
        ),
      );
      return lists
        .flatMap((l) => l.list)
        .map((s) => toTimeSlot(ref, s, duration))
        .filter((s) => s.startsAt >= from && s.startsAt < to);
    },
  };
}
