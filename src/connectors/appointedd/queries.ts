import { ProviderError } from '../errors.js';
import type { Connector, ConnectorContext, UnifiedBooking } from '../types.js';
import { finishBookingPage, lowerBoundMs, mapLimit, nullIfNotFound, windowsOf } from '../util.js';
import type { AppointeddCredentials } from './auth.js';
import type { AppointeddClient } from './client.js';
import { nativeStatuses, toBooking, toCustomer, toOrganization, toService, toTimeSlot } from './mapping.js';
import { appointeddProvider as P } from './provider.js';
import { accountSchema, type BookingResource, bookingSchema, customerSchema, serviceSchema, slotSchema } from './schemas.js';
import { firstWindowEnd, nextWindowEnd, type StartCount, widerWindowEnd, type WindowSize } from './windows.js';

/** How unified queries become Appointedd JSON API v2 calls (docs/platforms/appointedd.md §3, §6). */

export interface AppointeddSettings extends Record<string, unknown> {
  /** The accounts the client reached at connect time. */
  accountIds: string[];
}

type Ctx = ConnectorContext<AppointeddCredentials, AppointeddSettings>;

/** The `Connector` methods: everything but what the platform declares (`webhooks`). */
export type AppointeddQueries = Omit<Connector, 'webhooks'>;

const HOUR_MS = 3_600_000;

/**
 * True when `ref` can be an Appointedd record id: a 24-hex ObjectId (§3). Anything else is not
 * found without a call (the platform answers 400 to some routes, 404 to others).
 */
export const isObjectId = (ref: string): boolean => /^[0-9a-f]{24}$/i.test(ref);

/** Every account the client reaches, all pages (`GET /accounts`): the connection's organizations. */
export function listAccounts(client: AppointeddClient) {
  return client.all('listOrganizations', '/accounts', {}, accountSchema);
}

type Filters = Record<string, string | undefined>;

/** The part of a booking listing narrowed to a window (`listBookings` step 3). */
interface WindowQuery {
  /** The platform filters of the listing, without bounds on start. */
  filters: Filters;
  /** Inclusive lower bound on start (epoch ms), if any. */
  from: number | undefined;
  /** The latest start that can be on the page (epoch ms; `startsBefore` − 1 ms, else infinite). */
  stop: number;
  /** Bookings the page needs. */
  limit: number;
  /** Bookings the listing matches (`meta.total`) and one page of them (a sample of their starts). */
  total: number;
  sample: BookingResource[];
  /** How many of `records` the connector's own filters keep (status details, the keyset position). */
  kept: (records: BookingResource[]) => number;
}

const startOf = (b: BookingResource) => Date.parse(b.attributes.start);

/**
 * The bookings starting in a window [from, end] that holds the page, or null when the search ran out
 * of calls (`P.bookingWindowCalls`, and no more than reading the rest of the listing takes; the
 * caller then reads everything).
 *
 * One-item counts (`meta.total` of `filter[start_gte]=end+1ms`) place `end` so that between `limit`
 * and about a page of bookings start by it (`nextWindowEnd`). The window is then read with
 * `filter[end_lte]` (`end` plus twice the longest booking of the sample) and is complete when it holds
 * exactly the counted bookings that start by `end`: one that starts inside but ends later makes the
 * end bound move out. Should the connector's own filters keep too few, a proportionally larger
 * window follows.
 */
async function bookingsInWindow(client: AppointeddClient, w: WindowQuery): Promise<BookingResource[] | null> {
  const startingFrom = (ms: number | undefined): Filters => ({ ...w.filters, 'filter[start_gte]': ms === undefined ? undefined : new Date(ms).toISOString() });
  const starts = w.sample.map(startOf);
  const longest = Math.max(0, ...w.sample.map((b) => Date.parse(b.attributes.end) - startOf(b)));
  const scale = Math.max(...starts) - Math.min(...starts);
  /** Between `limit` and about one page of bookings, aiming at twice `limit` (or between the two). */
  const sizeFor = (least: number): WindowSize => {
    const most = Math.max(P.pageLimit, 2 * least);
    return { least, most, target: Math.min(2 * least, Math.round((least + most) / 2)) };
  };
  let size = sizeFor(w.limit);
  const points: StartCount[] = w.from === undefined ? [] : [{ at: w.from - 1, count: 0 }];
  let end: number | null = Math.min(firstWindowEnd(starts, w.total, size.target), w.stop);
  // At most as many calls as reading the rest of the listing takes: a failed search costs at most twice that.
  const budget = Math.min(P.bookingWindowCalls, Math.ceil((w.total - w.sample.length) / P.pageLimit));
  const pagesOf = (n: number) => Math.max(1, Math.ceil(n / P.pageLimit));
  let calls = 0;
  while (end !== null && calls < budget) {
    const later = await client.count('listBookings', '/bookings', startingFrom(end + 1));
    calls++;
    if (later === null) return null;
    const count = w.total - later; // bookings starting in [from, end]
    points.push({ at: end, count });
    const everything = later === 0 || end >= w.stop; // nothing starting after `end` can be on the page
    if ((count < size.least && !everything) || count > size.most) {
      const next = nextWindowEnd(points, size, scale);
      // Too many, and no instant left between too few and too many: read this window however long.
      if (next !== null || count < size.least) {
        end = next === null ? null : Math.min(next, w.stop);
        continue;
      }
    }
    // Room for bookings starting by `end` to end: twice the longest of the sample (an hour at least).
    let endsBy = end + 2 * Math.max(longest, HOUR_MS);
    let inside: BookingResource[] | null = null;
    while (!inside && calls + pagesOf(count) <= budget) {
      const read = await client.all('listBookings', '/bookings', { ...startingFrom(w.from), 'filter[end_lte]': new Date(endsBy).toISOString() }, bookingSchema);
      calls += pagesOf(read.length);
      const last: number = end;
      const starting = read.filter((b) => startOf(b) <= last);
      if (starting.length > count) return null; // the data changed between the calls
      if (starting.length === count) inside = starting;
      else endsBy = widerWindowEnd(end, endsBy); // a booking starting by `end` ends after `endsBy`
    }
    if (!inside) return null;
    const kept = w.kept(inside);
    if (kept >= w.limit || everything) return inside;
    // The connector's own filters kept too few: a window proportionally larger.
    size = sizeFor(kept > 0 ? Math.ceil((count * w.limit) / kept) : 4 * count);
    end = nextWindowEnd(points, size, scale);
    if (end !== null) end = Math.min(end, w.stop);
  }
  return null;
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

    /**
     * Bookings in (startsAt, ref) order after `q.after`. The platform cannot sort by start and has no
     * upper bound on it (§3.4: `filter[start_gte]`, `filter[end_lte]`, newest first), so:
     * 1. one page of `P.pageLimit` from the lower bound (the later of `startsAfter` and the keyset
     *    position) with every filter the platform has; when it holds every match, that is the answer;
     * 2. when two more pages would finish the listing, read them (a window costs a count and a read);
     * 3. else read only a window of starts proven to hold the page (`bookingsInWindow`), and
     *    everything should that search run out of calls.
     */
    async listBookings(q) {
      const from = lowerBoundMs(q);
      if (q.limit <= 0 || (from !== undefined && q.startsBefore && from >= q.startsBefore.getTime())) return [];
      const filters: Filters = {
        'filter[account_id]': q.organizationRef,
        'filter[customer_id]': q.customerRef,
        'filter[status]': nativeStatuses(q.statuses)?.join(','),
      };
      const fromLower = { ...filters, 'filter[start_gte]': from === undefined ? undefined : new Date(from).toISOString() };
      const at = now();
      const passing = (records: BookingResource[], limit: number) =>
        finishBookingPage(
          records.map((b) => toBooking(b, at)),
          { ...q, limit },
        );

      const first = await client.page('listBookings', '/bookings', fromLower, bookingSchema, null, P.pageLimit);
      if (first.next === null) return passing(first.items, q.limit);
      const everything = async () => [...first.items, ...(await client.all('listBookings', '/bookings', fromLower, bookingSchema, first.next))];
      const total = first.total;
      if (total === null || total - first.items.length <= 2 * P.pageLimit) return passing(await everything(), q.limit);
      const window = await bookingsInWindow(client, {
        filters,
        from,
        stop: q.startsBefore ? q.startsBefore.getTime() - 1 : Number.POSITIVE_INFINITY,
        limit: q.limit,
        total,
        sample: first.items,
        kept: (records) => passing(records, Number.POSITIVE_INFINITY).length,
      });
      return passing(window ?? (await everything()), q.limit);
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
        if (!isObjectId(r)) return null;
        const doc = await nullIfNotFound(() => client.get('getService', `/services/${encodeURIComponent(r)}`, {}, serviceSchema));
        return doc ? toService(doc.data) : null;
      });
    },

    async getCustomers(refs) {
      // No batch-by-id filter exists: for several refs one cached listing beats a look-up each.
      const byId = refs.length >= P.customerListingMinRefs ? new Map((await customers()).map((c) => [c.id, c])) : new Map();
      return mapLimit(refs, P.concurrency, async (r) => {
        const hit = byId.get(r);
        if (hit) return toCustomer(hit);
        if (!isObjectId(r)) return null;
        const doc = await nullIfNotFound(() => client.get('getCustomer', `/customers/${encodeURIComponent(r)}`, {}, customerSchema));
        return doc ? toCustomer(doc.data) : null;
      });
    },

    async getBookings(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        if (!isObjectId(r)) return null;
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
      if (!isObjectId(ref)) throw new ProviderError(P.key, 'cancelBooking', 'BAD_USER_INPUT', 'Appointedd has no booking with this id');
      const doc = await client.post(
        'cancelBooking',
        `/bookings/${encodeURIComponent(ref)}/cancel`,
        reason ? { meta: { reason } } : { meta: {} },
        bookingSchema,
      );
      return toBooking(doc.data, now());
    },

    async availability(serviceRef, from, to) {
      if (!isObjectId(serviceRef)) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'Appointedd has no service with this id');
      // The platform answers at most 42 days per call: walk the range in windows.
      const out = [];
      for (const { start, end } of windowsOf(from.getTime(), to.getTime(), P.availabilityMaxDays)) {
        const slots = await client.getList(
          'availability',
          '/availability/slots',
          { 'filter[service_id]': serviceRef, 'filter[start]': start.toISOString(), 'filter[end]': end.toISOString() },
          slotSchema,
        );
        out.push(...slots.map((s) => toTimeSlot(s, serviceRef)));
      }
      return out;
    },
  };
}
