import { ProviderError } from '../errors.js';
import type { BookingQuery, Connector, ConnectorContext, UnifiedBooking, UnifiedCustomer } from '../types.js';
import { byStartThenRef, finishBookingPage, mapLimit, nullIfNotFound } from '../util.js';
import { appIdOf, type BookingtimeCredentials } from './auth.js';
import type { BookingtimeClient } from './client.js';
import {
  addMonths,
  localDate,
  monthEndMs,
  monthsCovering,
  nextMonth,
  parseRef,
  refOf,
  toBooking,
  toCustomer,
  toOrganization,
  toService,
  toTimeSlot,
} from './mapping.js';
import { bookingtimeProvider as P } from './provider.js';
import { type AppointmentRange, answers, type CustomerRecord, type OrganizationRecord } from './schemas.js';

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
    client.app('listOrganizations', { path: `/app/${encodeURIComponent(appId)}/organization/list` }, answers.organizationList),
  );
}

/** One organization's walk through its local calendar months for a `listBookings` page. */
export interface MonthWalk {
  organization: BookingtimeOrganization;
  /** The local months of the query's range, in order. */
  months: Array<{ y: number; m: number }>;
  /** How many of `months` have been read. */
  read: number;
  /** Index in `months` of the first month read that held a matching booking; null while none did. */
  firstFound: number | null;
  /** The matching bookings of the months read, each month's sorted. */
  found: UnifiedBooking[];
  /** Every appointment of the organization that starts before this instant has been read. */
  readThroughMs: number;
}

/**
 * Which walks must read further months (pure). Once the walks together hold `limit` matching
 * bookings, the page is settled up to its last booking (T) except for what a walk has not read:
 * a walk needs more only while its unread months could still hold a booking at or before T (it has
 * not read through T). With fewer than `limit` found, every walk with months left goes on.
 */
export function walksToContinue(walks: readonly MonthWalk[], limit: number): boolean[] {
  const all = walks.flatMap((w) => w.found);
  const last = all.length >= limit ? all.sort(byStartThenRef)[limit - 1].startsAt.getTime() : Number.POSITIVE_INFINITY;
  return walks.map((w) => w.read < w.months.length && w.readThroughMs <= last);
}

/**
 * How many months each walk reads in the next round (pure), at most `max`: `first` for the first
 * round; after a round that found nothing, twice that round's (an empty stretch: look further ahead
 * at once); else the months the bookings still missing would take at the rate the walks found them
 * so far (bookings per month since the first one), at least one. An estimate only: a short round is
 * followed by another, a long one reads ahead.
 */
export function monthsForRound(
  walks: readonly MonthWalk[],
  limit: number,
  rounds: { first: number; max: number; last?: { months: number; foundBefore: number } },
): number {
  const { first, max, last } = rounds;
  const found = walks.reduce((n, w) => n + w.found.length, 0);
  if (!last) return Math.min(first, max);
  if (found === last.foundBefore) return Math.min(max, 2 * last.months);
  const span = Math.max(1, ...walks.map((w) => (w.firstFound === null ? 0 : w.read - w.firstFound)));
  return Math.min(max, Math.max(1, Math.ceil((limit - found) / (found / span))));
}

/** One local calendar month (y, 1–12) of an organization's appointments, every one of them (cancelled ones included). */
export type MonthOf = (o: BookingtimeOrganization, y: number, m: number) => Promise<AppointmentRange>;

/**
 * Reads one local calendar month of an organization's appointments (`listMonth`, §3.4). A month that
 * ended more than a day ago (by `now`, epoch ms) cannot change any more (appointments are booked and
 * moved into free slots, which lie ahead, and ended ones can be neither cancelled nor moved), so it is
 * cached in `ctx.cache` for `P.pastMonthTtlMs`; current and future months for `P.liveMonthTtlMs` (0:
 * read by every call; identical reads in flight share one). Shared by `listBookings` and the poll
 * (`webhooks.ts`).
 */
export function monthReader(ctx: Ctx, client: BookingtimeClient, now: () => number): MonthOf {
  return (o, y, m) => {
    const read = () => client.organization(o.id, 'listBookings', { path: `/appointment/year/${y}/month/${m}/listMonth` }, answers.appointmentRange);
    const next = nextMonth({ y, m });
    const endsMs = Date.UTC(next.y, next.m - 1, 1) + DAY_MS; // a day of slack for any time zone
    const ttlMs: number = endsMs + DAY_MS < now() ? P.pastMonthTtlMs : P.liveMonthTtlMs;
    return ctx.cache.getOrLoad(`month:${o.id}:${y}-${m}`, ttlMs, read);
  };
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
      async () => (await client.organization(orgId, 'listServices', { path: '/bookingTemplate/list' }, answers.bookingTemplateList)).recordList,
    );
  const template = async (orgId: string, id: string) =>
    (await templates(orgId)).find((t) => t.id === id) ??
    (await nullIfNotFound(() =>
      client.organization(orgId, 'getService', { path: `/bookingTemplate/${encodeURIComponent(id)}/show` }, answers.bookingTemplate),
    ));
  const organizationShow = (orgId: string) =>
    ctx.cache.getOrLoad(`organization:${orgId}`, P.referenceTtlMs, () =>
      client.organization(orgId, 'getOrganization', { path: '/show' }, answers.organization),
    );
  const customerShow = (orgId: string, id: string) =>
    nullIfNotFound(() => client.organization(orgId, 'getCustomer', { path: `/customer/${encodeURIComponent(id)}/show` }, answers.customer));

  /**
   * The customers of an organization's listing (`customer/index`, 25 a page, §3.3), cached for
   * `P.customerTtlMs`: page 1, and the other pages (read at once) only when they are fewer than the
   * customers of `ids` page 1 lacks — otherwise showing those few costs less, and the cache keeps
   * page 1. Callers show any customer the listing lacks.
   */
  const customerListing = (orgId: string, ids: ReadonlySet<string>) =>
    ctx.cache.getOrLoad(`customers:${orgId}`, P.customerTtlMs, async (): Promise<CustomerRecord[]> => {
      const first = await client.organization(orgId, 'getCustomers', { path: '/customer/index/1' }, answers.customerPage);
      const lacking = [...ids].filter((id) => !first.recordList.some((c) => c.id === id)).length;
      const otherPages = Array.from({ length: Math.max(0, first.pageTotal - 1) }, (_, i) => i + 2);
      if (first.recordList.length === 0 || otherPages.length === 0 || otherPages.length > lacking) return first.recordList;
      const rest = await mapLimit(otherPages, P.concurrency, (page) =>
        client.organization(orgId, 'getCustomers', { path: `/customer/index/${page}` }, answers.customerPage),
      );
      return [first, ...rest].flatMap((l) => l.recordList);
    });

  const monthOf = monthReader(ctx, client, now);

  /**
   * The first `q.limit` bookings of `organizations` for `q`, walking each one's local calendar
   * months from `fromMs` to `toMs` (there is no status, updated-since or list-all route, §3.4).
   * Months are read in rounds: each round reads the next few months (`monthsForRound`, at most
   * `P.monthsInFlight`) of every organization that still needs some, all at once. A month's
   * appointments all start before the next month's, so after a round the bookings found are
   * complete up to where each walk has read (`rangeEnd`); the walk stops as soon as the first
   * `q.limit` of all organizations together are settled (`walksToContinue`) or the range is read.
   * `bounded`: the query has a lower bound of its own (not the look-back).
   */
  const bookingsByMonth = async (organizations: BookingtimeOrganization[], q: BookingQuery, fromMs: number, toMs: number, bounded: boolean) => {
    const maxMonths = P.bookingLookbackMonths + P.bookingHorizonMonths + 2;
    const walks: MonthWalk[] = organizations.map((organization) => ({
      organization,
      months: monthsCovering(zoneOf(organization), fromMs, toMs, maxMonths),
      read: 0,
      firstFound: null,
      found: [],
      readThroughMs: Number.NEGATIVE_INFINITY,
    }));
    const unlimited = { ...q, limit: Number.MAX_SAFE_INTEGER };
    // With a lower bound the page most likely starts in its month; a look-back starts where data is least likely.
    const first = bounded ? P.boundedFirstRoundMonths : P.monthsInFlight;
    let last: { months: number; foundBefore: number } | undefined;
    for (;;) {
      const due = walksToContinue(walks, q.limit);
      if (!due.includes(true)) break;
      const size = monthsForRound(walks, q.limit, { first, max: P.monthsInFlight, last });
      last = { months: size, foundBefore: walks.reduce((n, w) => n + w.found.length, 0) };
      await Promise.all(
        walks
          .filter((_, i) => due[i])
          .map(async (w) => {
            const batch = w.months.slice(w.read, w.read + size);
            const ranges = await Promise.all(batch.map(({ y, m }) => monthOf(w.organization, y, m)));
            const t = now();
            ranges.forEach((range, i) => {
              const matching = finishBookingPage(
                range.list.map((a) => toBooking(w.organization.id, a, t)),
                unlimited,
              );
              if (matching.length > 0 && w.firstFound === null) w.firstFound = w.read + i;
              w.found.push(...matching);
            });
            w.read += batch.length;
            const lastMonth = batch[batch.length - 1];
            w.readThroughMs = w.read >= w.months.length ? Number.POSITIVE_INFINITY : monthEndMs(ranges[ranges.length - 1], lastMonth.y, lastMonth.m);
          }),
      );
    }
    return finishBookingPage(
      walks.flatMap((w) => w.found),
      q,
    );
  };

  /**
   * Customers by ref. There is no batch-by-id route: several customers of one organization come
   * from its listing (`customerListing`), a single one is shown. A batch costs each organization
   * one show, or its listing (one page unless reading all is cheaper than showing what page 1
   * lacks, then cached), plus a show for each customer the listing lacks.
   */
  const customersOf = async (refs: readonly string[]): Promise<Array<UnifiedCustomer | null>> => {
    const wanted = new Map<string, Set<string>>();
    for (const r of refs) {
      const at = locate(r);
      if (at) wanted.set(at.organization.id, (wanted.get(at.organization.id) ?? new Set()).add(at.id));
    }
    const listings = new Map<string, Map<string, CustomerRecord>>();
    await Promise.all(
      [...wanted]
        .filter(([, ids]) => ids.size >= P.customerListingMinRefs)
        .map(async ([orgId, ids]) => listings.set(orgId, new Map((await customerListing(orgId, ids)).map((c) => [c.id, c])))),
    );
    return mapLimit(refs, P.concurrency, async (r) => {
      const at = locate(r);
      if (!at) return null;
      const orgId = at.organization.id;
      const c = listings.get(orgId)?.get(at.id) ?? (await customerShow(orgId, at.id));
      return c ? toCustomer(orgId, c) : null;
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
        answers.customerPage,
      );
      const nextCursor = page < list.pageTotal && list.recordList.length > 0 ? `${o.id}:${page + 1}` : orgs[index + 1] ? `${orgs[index + 1].id}:1` : null;
      return { items: list.recordList.map((c) => toCustomer(o.id, c)), nextCursor };
    },

    async listBookings(q) {
      if (q.limit <= 0) return [];
      if (q.customerRef) {
        const at = locate(q.customerRef);
        if (!at || (q.organizationRef && q.organizationRef !== at.organization.id)) return [];
        const id = encodeURIComponent(at.id);
        const records = await client.all(at.organization.id, 'listBookings', (p) => `/customer/${id}/appointment/index/${p}`, answers.appointmentPage);
        const t = now();
        return finishBookingPage(
          records.map((a) => toBooking(at.organization.id, a, t)),
          q,
        );
      }
      // Lower bound: the later of startsAfter and the keyset position (all the page can hold starts
      // there or later); without either, a fixed look-back, since no route tells where an
      // organization's appointments begin (§3.4). Upper bound: startsBefore, else a fixed horizon
      // past the later of the lower bound and now.
      const lowers = [q.startsAfter, q.after?.startsAt].filter((d): d is Date => !!d).map((d) => d.getTime());
      const fromMs = lowers.length ? Math.max(...lowers) : addMonths(now(), -P.bookingLookbackMonths);
      const toMs = q.startsBefore ? q.startsBefore.getTime() : addMonths(Math.max(fromMs, now()), P.bookingHorizonMonths);
      return bookingsByMonth(scopeOf(q.organizationRef), q, fromMs, toMs, lowers.length > 0);
    },

    /** From the organization listing the connection already reads (§3.1); `show` only for one it lacks. */
    async getOrganizations(refs) {
      const listed = new Map<string, OrganizationRecord>(
        refs.some((r) => known.has(r)) ? (await organizationListing(ctx, client)).recordList.map((o) => [o.id, o]) : [],
      );
      return mapLimit(refs, P.concurrency, async (r) => {
        if (!known.has(r)) return null;
        const o = listed.get(r) ?? (await nullIfNotFound(() => organizationShow(r)));
        return o ? toOrganization(o) : null;
      });
    },

    /** From each organization's template listing (one call per organization, cached); `show` only for one it lacks. */
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
          client.organization(at.organization.id, 'getBooking', { path: `/appointment/${encodeURIComponent(at.id)}/show` }, answers.appointment),
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
        answers.customer,
      );
      await ctx.cache.invalidate(`customers:${o.id}`);
      // The answer is the short form (§3.3): read the full record for e-mail and phone.
      const full = await nullIfNotFound(() =>
        client.organization(o.id, 'createCustomer', { path: `/customer/${encodeURIComponent(created.id)}/show` }, answers.customer),
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
          answers.bookingSlotRange,
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
        answers.appointment,
      );
      return toBooking(o.id, a, now());
    },

    /** PUT cancel without body (§3.4); bookingtime keeps no reason, so `reason` is not sent. */
    async cancelBooking(ref) {
      if (!parseRef(ref)) throw new ProviderError(P.key, 'cancelBooking', 'BAD_USER_INPUT', 'bookingtime has no appointment with this id');
      const at = locate(ref);
      if (!at) throw new ProviderError(P.key, 'cancelBooking', 'NOT_FOUND', 'bookingtime has no such appointment in this connection');
      const a = await client.organization(
        at.organization.id,
        'cancelBooking',
        { path: `/appointment/${encodeURIComponent(at.id)}/cancel`, method: 'PUT', write: true },
        answers.appointment,
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
          answers.bookingSlotRange,
        ),
      );
      return lists
        .flatMap((l) => l.list)
        .map((s) => toTimeSlot(ref, s, duration))
        .filter((s) => s.startsAt >= from && s.startsAt < to);
    },
  };
}
