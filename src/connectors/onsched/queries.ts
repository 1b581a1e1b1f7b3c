import { ProviderError, ProviderResponseError } from '../errors.js';
import type { BookingQuery, Connector, ConnectorContext, Page, UnifiedBooking } from '../types.js';
import { finishBookingPage, mapLimit, nullIfNotFound } from '../util.js';
import type { OnSchedCredentials } from './auth.js';
import type { CompanyScope, OnSchedClient } from './client.js';
import {
  dateWindows,
  localDateBounds,
  parseScopedRef,
  platformStatusFilter,
  statusFilterExact,
  toBooking,
  toCustomer,
  toOnSchedDateTime,
  toOrganization,
  toService,
  toTimeSlots,
  utcDate,
} from './mapping.js';
import { onschedProvider as P } from './provider.js';
import {
  type Appointment,
  appointmentSchema,
  availabilitySchema,
  type AvailableTime,
  companySchema,
  customerSchema,
  type Location,
  locationSchema,
  type Service,
  serviceSchema,
} from './schemas.js';

/** How unified queries become OnSched V1 consumer/setup calls (docs/platforms/onsched.md §3, §6). */

export interface OnSchedSettings extends Record<string, unknown> {
  /** The connected companies; `keyIndex` points at the company's key in `credentials.companyApiKeys`. */
  companies: Array<{ id: string; name: string; keyIndex: number }>;
}

type Ctx = ConnectorContext<OnSchedCredentials, OnSchedSettings>;

/** The `Connector` methods: everything but what the platform declares (`webhooks`). */
export type OnSchedQueries = Omit<Connector, 'webhooks'>;

const DAY_MS = 86_400_000;
const API = P.apiPath;

/** The companies of a connection, each with its own key (never another company's). */
export function companyScopes(ctx: Ctx): CompanyScope[] {
  const keys = ctx.credentials.companyApiKeys;
  return (ctx.settings.companies ?? [])
    .filter((c) => c.keyIndex >= 0 && c.keyIndex < keys.length)
    .map((c) => ({
      id: c.id,
      label: `${c.name} (company API key #${c.keyIndex + 1})`,
      apiKey: keys[c.keyIndex],
    }));
}

/** A company's locations (§3.1), cached `P.referenceTtlMs` in `ctx.cache`; shared by the queries and the webhooks. */
export function cachedLocations(ctx: Ctx, client: OnSchedClient): (s: CompanyScope) => Promise<Location[]> {
  return (s) => ctx.cache.getOrLoad(`locations:${s.id}`, P.referenceTtlMs, () => client.all(s, 'listLocations', `${API}/locations`, {}, locationSchema));
}

/** Runs a get-by-id; NOT_FOUND, and a 400 for an id the platform cannot read, answer null. */
async function nullIfMissing<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await nullIfNotFound(fn);
  } catch (err) {
    if (err instanceof ProviderError && err.status === 400) return null;
    throw err;
  }
}

/** `<companyId>:<offset>` list cursors over the companies in order. */
const encodeCursor = (companyId: string, offset: number) => `${companyId}:${offset}`;
function decodeCursor(cursor: string | null | undefined, scopes: CompanyScope[]): { index: number; offset: number } {
  if (!cursor) return { index: 0, offset: 0 };
  const i = cursor.lastIndexOf(':');
  const index = scopes.findIndex((s) => s.id === cursor.slice(0, i));
  const offset = Number(cursor.slice(i + 1));
  return index < 0 || !Number.isInteger(offset) || offset < 0 ? { index: scopes.length, offset: 0 } : { index, offset };
}

/**
 * Whether the appointments fetched so far settle the first `query.limit` bookings (pure): only when
 * the platform has answered in start order so far (§3.4 says so, Assumed — checked here), and
 * enough matching bookings start strictly before the last one seen (later pages cannot precede them)
 * or the last one seen starts at or after `query.startsBefore`.
 */
export function settlesPage(fetched: Appointment[], companyId: string, query: BookingQuery, nowMs: number): boolean {
  let last = Number.NEGATIVE_INFINITY;
  for (const a of fetched) {
    const t = Date.parse(a.startDateTime);
    if (t < last) return false;
    last = t;
  }
  // Past the exclusive upper bound: no later appointment can match.
  if (query.startsBefore && last >= query.startsBefore.getTime()) return true;
  const before = fetched.map((a) => toBooking(a, companyId, nowMs)).filter((b): b is UnifiedBooking => b !== null && b.startsAt.getTime() < last);
  return finishBookingPage(before, query).length >= query.limit;
}

/**
 * How many appointments the first page of a company's listing asks for (pure), at most
 * `P.pageLimit`. The page needs `query.limit` bookings and one more (whose later start shows the page
 * is settled); without a status filter the platform also answers holds (`IN`) and reschedule
 * placeholders (`RE`), which are no bookings, so it asks for twice that; and `query.limit` more when
 * there is a lower bound (the local-date filter is widened by a day, so earlier appointments come
 * first). A full page when the connector must filter statuses itself. Later pages take `P.pageLimit`.
 */
export function firstBookingPageSize(query: BookingQuery): number {
  const statuses = query.statuses ?? [];
  if (statuses.length > 0 && !statusFilterExact(statuses)) return P.pageLimit;
  const wanted = (query.limit + 1) * (statuses.length > 0 ? 1 : 2);
  const bounded = query.startsAfter !== undefined || query.after !== undefined;
  return Math.min(P.pageLimit, wanted + (bounded ? query.limit : 0));
}

/**
 * The queries of one connection over its companies (`ctx.settings`), each called with its own API
 * key. Refs are `<companyId>:<id>` (`scopedRef`); a ref of a company outside the connection is
 * answered without a call. Every method throws `ProviderError`.
 */
export function onschedQueries(ctx: Ctx, client: OnSchedClient): OnSchedQueries {
  const scopes = companyScopes(ctx);
  const currency = ctx.credentials.currency ?? null;
  // The mapping's "now" (COMPLETED): the gateway's wall clock.
  const now = () => Date.now();
  const scopeOf = (companyId: string | undefined) => scopes.find((s) => s.id === companyId);
  const inScope = (organizationRef?: string) => (organizationRef === undefined ? scopes : scopes.filter((s) => s.id === organizationRef));

  const company = (s: CompanyScope) =>
    ctx.cache.getOrLoad(`company:${s.id}`, P.referenceTtlMs, () => client.get(s, 'listOrganizations', P.companyPath, {}, companySchema));
  const locations = cachedLocations(ctx, client);
  const services = (s: CompanyScope) =>
    ctx.cache.getOrLoad(`services:${s.id}`, P.referenceTtlMs, () => client.all(s, 'listServices', `${API}/services`, {}, serviceSchema));
  const customers = (s: CompanyScope) =>
    ctx.cache.getOrLoad(`customers:${s.id}`, P.customerTtlMs, () => client.all(s, 'listCustomers', `${API}/customers`, {}, customerSchema));

  /** A service of the company, from the cached list or by id; null when unknown. */
  const findService = async (s: CompanyScope, id: string): Promise<Service | null> =>
    (await services(s)).find((x) => x.id === id) ??
    nullIfMissing(() => client.get(s, 'getService', `${API}/services/${encodeURIComponent(id)}`, {}, serviceSchema));

  /** Where a service can be booked: its own location, else every location, the primary first. */
  const locationIdsFor = async (s: CompanyScope, service: Service): Promise<string[]> => {
    if (service.locationId) return [service.locationId];
    return [...(await locations(s))].sort((a, b) => Number(!!b.primaryBusiness) - Number(!!a.primaryBusiness)).map((l) => l.id);
  };

  const availableTimes = (s: CompanyScope, serviceId: string, locationId: string, startDate: string, endDate: string) =>
    client
      .get(s, 'availability', `${API}/availability/${encodeURIComponent(serviceId)}/${startDate}/${endDate}`, { locationId }, availabilitySchema)
      .then((a) => a.availableTimes);

  const serviceAndScope = (serviceRef: string) => {
    const ref = parseScopedRef(serviceRef);
    const s = scopeOf(ref?.companyId);
    if (!ref || !s) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'OnSched found no such service');
    return { s, serviceId: ref.id };
  };

  /** Pages through the companies in order, one platform page per call. */
  const walk = async <T>(
    list: CompanyScope[],
    cursor: string | null | undefined,
    limit: number,
    fetch: (s: CompanyScope, offset: number, limit: number) => Promise<{ items: T[]; next: number | null }>,
  ): Promise<Page<T>> => {
    const { index, offset } = decodeCursor(cursor, list);
    if (index >= list.length) return { items: [], nextCursor: null };
    const s = list[index];
    const page = await fetch(s, offset, limit);
    const nextCursor = page.next !== null ? encodeCursor(s.id, page.next) : index + 1 < list.length ? encodeCursor(list[index + 1].id, 0) : null;
    return { items: page.items, nextCursor };
  };

  const toBookingOrFail = (a: Appointment, companyId: string, operation: string): UnifiedBooking => {
    const b = toBooking(a, companyId, now());
    if (!b) throw new ProviderResponseError(P.key, operation, `the appointment is in status ${a.status}, not a booking`);
    return b;
  };

  return {
    async listOrganizations() {
      return (await mapLimit(scopes, P.concurrency, company)).map(toOrganization);
    },

    async listServices(q) {
      return walk(inScope(q.organizationRef), q.cursor, q.limit, async (s, offset, limit) => {
        const page = await client.page(s, 'listServices', `${API}/services`, {}, serviceSchema, offset, limit);
        return {
          items: page.items.map((x) => toService(x, s.id, currency)),
          next: page.next,
        };
      });
    },

    async listCustomers(q) {
      const search = q.search?.trim();
      // The platform filters on an exact e-mail or last name (case-insensitive), nothing looser.
      const filter = search ? (search.includes('@') ? { email: search } : { lastname: search }) : {};
      return walk(inScope(q.organizationRef), q.cursor, q.limit, async (s, offset, limit) => {
        const page = await client.page(s, 'listCustomers', `${API}/customers`, filter, customerSchema, offset, limit);
        return {
          items: page.items.map((x) => toCustomer(x, s.id)),
          next: page.next,
        };
      });
    },

    async listBookings(q) {
      const customer = q.customerRef ? parseScopedRef(q.customerRef) : null;
      if (q.customerRef && !customer) return [];
      let list = inScope(q.organizationRef);
      if (customer) list = list.filter((s) => s.id === customer.companyId);
      // Dates filter on the location's local date: widen by a day, then filter exactly in UTC.
      const lower = [q.startsAfter, q.after?.startsAt].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
      const { startDate, endDate } = localDateBounds(lower, q.startsBefore);
      const query = {
        startDate,
        endDate,
        status: platformStatusFilter(q.statuses),
        customerId: customer?.id,
      };
      const perCompany = await mapLimit(list, P.concurrency, async (s) => {
        const nowMs = now();
        const raw = await client.all(
          s,
          'listBookings',
          `${API}/appointments`,
          query,
          appointmentSchema,
          (so) => settlesPage(so, s.id, q, nowMs),
          firstBookingPageSize(q),
        );
        return raw.map((a) => toBooking(a, s.id, nowMs)).filter((b): b is UnifiedBooking => b !== null);
      });
      return finishBookingPage(perCompany.flat(), q);
    },

    async getOrganizations(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const s = scopeOf(r);
        return s ? toOrganization(await company(s)) : null;
      });
    },

    async getServices(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const ref = parseScopedRef(r);
        const s = scopeOf(ref?.companyId);
        if (!ref || !s) return null;
        const found = await findService(s, ref.id);
        return found ? toService(found, s.id, currency) : null;
      });
    },

    async getCustomers(refs) {
      // No batch-by-id call: for several refs of one company, one cached listing beats a look-up each.
      const perCompany = new Map<string, number>();
      for (const r of refs) {
        const id = parseScopedRef(r)?.companyId;
        if (id) perCompany.set(id, (perCompany.get(id) ?? 0) + 1);
      }
      return mapLimit(refs, P.concurrency, async (r) => {
        const ref = parseScopedRef(r);
        const s = scopeOf(ref?.companyId);
        if (!ref || !s) return null;
        const hit = (perCompany.get(s.id) ?? 0) >= P.customerListingMinRefs ? (await customers(s)).find((c) => c.id === ref.id) : undefined;
        const found = hit ?? (await nullIfMissing(() => client.get(s, 'getCustomer', `${API}/customers/${encodeURIComponent(ref.id)}`, {}, customerSchema)));
        return found ? toCustomer(found, s.id) : null;
      });
    },

    async getBookings(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const ref = parseScopedRef(r);
        const s = scopeOf(ref?.companyId);
        if (!ref || !s) return null;
        const a = await nullIfMissing(() => client.get(s, 'getBooking', `${API}/appointments/${encodeURIComponent(ref.id)}`, {}, appointmentSchema));
        return a ? toBooking(a, s.id, now()) : null;
      });
    },

    async createCustomer(input) {
      const s = scopeOf(input.organizationRef);
      if (!s) throw new ProviderError(P.key, 'createCustomer', 'NOT_FOUND', 'OnSched found no such company in this connection');
      if (!input.email) {
        throw new ProviderError(P.key, 'createCustomer', 'BAD_USER_INPUT', 'OnSched requires an email for a customer (CustomerInputModel)');
      }
      const created = await client.write(
        s,
        'createCustomer',
        {
          method: 'POST',
          path: `${API}/customers`,
          json: {
            type: 0,
            firstname: input.firstName,
            lastname: input.lastName,
            email: input.email,
            ...(input.phone ? { contact: { mobilePhone: input.phone } } : {}),
          },
        },
        customerSchema,
      );
      await ctx.cache.invalidate(`customers:${s.id}`);
      return toCustomer(created, s.id);
    },

    /**
     * Finds a resource free at `startsAt` with the availability call (the service's location, else
     * each location, primary first), then books it with `completeBooking=BK` (§3.4, §6).
     */
    async createBooking(input) {
      const service = parseScopedRef(input.serviceRef);
      const customer = parseScopedRef(input.customerRef);
      if (!service || !customer || service.companyId !== customer.companyId) {
        throw new ProviderError(P.key, 'createBooking', 'BAD_USER_INPUT', 'OnSched books a customer only for a service of the same company');
      }
      const s = scopeOf(service.companyId);
      if (!s) throw new ProviderError(P.key, 'createBooking', 'NOT_FOUND', 'OnSched found no such company in this connection');
      const svc = await findService(s, service.id);
      if (!svc) throw new ProviderError(P.key, 'createBooking', 'NOT_FOUND', 'OnSched found no such service');
      if (!svc.duration || svc.duration <= 0) throw new ProviderResponseError(P.key, 'createBooking', 'the service has no duration');
      const startMs = input.startsAt.getTime();
      let chosen: { locationId: string; time: AvailableTime } | null = null;
      for (const locationId of await locationIdsFor(s, svc)) {
        const times = await availableTimes(s, svc.id, locationId, utcDate(startMs - DAY_MS), utcDate(startMs + DAY_MS));
        const time = times.find((t) => Date.parse(t.startDateTime) === startMs && t.resourceId && (t.availableBookings ?? 1) > 0);
        if (time) {
          chosen = { locationId, time };
          break;
        }
      }
      if (!chosen) {
        throw new ProviderError(P.key, 'createBooking', 'BAD_USER_INPUT', `OnSched has no free resource for ${svc.name} at ${input.startsAt.toISOString()}`);
      }
      const created = await client.write(
        s,
        'createBooking',
        {
          method: 'POST',
          path: `${API}/appointments`,
          query: { completeBooking: 'BK' },
          json: {
            serviceId: svc.id,
            locationId: chosen.locationId,
            resourceId: chosen.time.resourceId,
            customerId: customer.id,
            startDateTime: toOnSchedDateTime(input.startsAt),
            endDateTime: toOnSchedDateTime(new Date(startMs + svc.duration * 60_000)),
          },
        },
        appointmentSchema,
      );
      return toBookingOrFail(created, s.id, 'createBooking');
    },

    /** `PUT …/cancel` (no body; the platform keeps no reason, §6). Only `BK`/`RS` in the future. */
    async cancelBooking(ref) {
      const parsed = parseScopedRef(ref);
      if (!parsed) throw new ProviderError(P.key, 'cancelBooking', 'BAD_USER_INPUT', 'OnSched has no booking with this id');
      const s = scopeOf(parsed.companyId);
      if (!s) throw new ProviderError(P.key, 'cancelBooking', 'NOT_FOUND', 'OnSched found no such booking');
      const a = await client.write(
        s,
        'cancelBooking',
        {
          method: 'PUT',
          path: `${API}/appointments/${encodeURIComponent(parsed.id)}/cancel`,
        },
        appointmentSchema,
      );
      return toBookingOrFail(a, s.id, 'cancelBooking');
    },

    /** Free times per location in windows of at most 31 days, merged into slots (§3.5). */
    async availability(serviceRef, from, to) {
      const { s, serviceId } = serviceAndScope(serviceRef);
      const svc = await findService(s, serviceId);
      if (!svc) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'OnSched found no such service');
      const calls = (await locationIdsFor(s, svc)).flatMap((locationId) =>
        dateWindows(from.getTime(), to.getTime(), P.availabilityMaxDays).map((w) => ({ locationId, ...w })),
      );
      const times = await mapLimit(calls, P.concurrency, (c) => availableTimes(s, svc.id, c.locationId, c.startDate, c.endDate));
      return toTimeSlots(times.flat(), serviceRef, from.getTime(), to.getTime());
    },
  };
}
