import { ProviderError } from '../errors.js';
import { collectPages } from '../paging.js';
import type { Connector, ConnectorContext, UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedTimeSlot } from '../types.js';
import { byStartThenRef, finishBookingPage, lowerBoundMs, mapLimit, nullIfNotFound } from '../util.js';
import type { DayScheduleCredentials } from './auth.js';
import type { DayScheduleClient } from './client.js';
import {
  durationInMinutes,
  firstInviteeEmail,
  joinName,
  nativeStatuses,
  statusExactly,
  toBooking,
  toCustomer,
  toOrganization,
  toService,
  toTimeSlots,
} from './mapping.js';
import { dayscheduleProvider as P } from './provider.js';
import {
  availabilitySchema,
  type BookingRecord,
  bookingSchema,
  type ContactRecord,
  contactSchema,
  pageSchema,
  type ResourceRecord,
  resourceSchema,
  userSchema,
} from './schemas.js';

/** How unified queries become DaySchedule v1 (and public v2) calls (docs/platforms/dayschedule.md §3, §6). */

export interface DayScheduleSettings extends Record<string, unknown> {
  /** The organization the grant is bound to (`org_id` as text); chosen on the consent page. */
  orgId: string;
}

type Ctx = ConnectorContext<DayScheduleCredentials, DayScheduleSettings>;

/** The `Connector` methods: everything but what the platform declares (`webhooks`). */
export type DayScheduleQueries = Omit<Connector, 'webhooks'>;

const DAY_MS = 86_400_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * True when `ref` can be a DaySchedule record id: 24 hex digits (ObjectId style, §3). Anything else
 * is not found without a call (the platform would answer 400 "… must be a mongodb id").
 */
export const isObjectId = (ref: string): boolean => /^[0-9a-f]{24}$/i.test(ref);

/** `YYYY-MM-DD` of an instant in UTC (the platform's date filters are whole UTC days, §3.4). */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Users and pages of the grant's organization: what the Organization is made of (§3.1). */
async function loadDirectory(client: DayScheduleClient) {
  const [users, pages] = await Promise.all([
    client.all('listOrganizations', '/users', {}, userSchema),
    client.all('listOrganizations', '/pages', {}, pageSchema),
  ]);
  return { users, pages };
}

/** The organization of the grant: `org_id` from the users (else the pages) it can see. */
function organizationOf(directory: Awaited<ReturnType<typeof loadDirectory>>, orgId?: string): UnifiedOrganization {
  const id = orgId !== undefined ? Number(orgId) : (directory.users[0]?.org_id ?? directory.pages[0]?.org_id);
  if (id === undefined || !Number.isFinite(id)) {
    throw new ProviderError(P.key, 'listOrganizations', 'PROVIDER_ERROR', 'DaySchedule showed no user or page, so the organization is unknown');
  }
  return toOrganization(id, directory.pages, directory.users);
}

/** The organization a new grant reaches (read at consent, uncached). */
export async function grantOrganization(client: DayScheduleClient): Promise<UnifiedOrganization> {
  return organizationOf(await loadDirectory(client));
}

/** A connector cursor (the next page's offset) back to a number; anything else starts over. */
function offsetOf(cursor: string | null | undefined): number {
  const n = cursor ? Number(cursor) : 0;
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** A booking of a listing with what the query filters on: its position in (startsAt, ref) order and status. */
interface BookingMatch {
  record: BookingRecord;
  startsAt: Date;
  ref: string;
  status: string;
}

/**
 * True when later pages of a listing in start order cannot change the first `limit` of `matches`:
 * the `limit`-th match starts before `lastStart`, the latest start read so far (so bookings tied with
 * it on start, which may sort before it by ref, have all been read), or `lastStart` has reached
 * `beforeMs` (the exclusive upper bound: nothing later can match). Pure.
 */
function matchesSettled(matches: readonly BookingMatch[], lastStart: number, limit: number, beforeMs = Number.POSITIVE_INFINITY): boolean {
  if (lastStart >= beforeMs) return true;
  if (matches.length < limit) return false;
  return lastStart > [...matches].sort(byStartThenRef)[limit - 1].startsAt.getTime();
}

/**
 * How many bookings the first page of a listing asks for (pure), at most `P.pageLimit`: `limit` and
 * one more (whose later start shows the page is settled) when the platform filters exactly; as many
 * again when the lower bound was widened to its whole UTC day (that day's earlier bookings come first
 * and are dropped); a full page when a filter only the connector applies (the customer's e-mail, a
 * status the platform cannot tell apart) may drop any number. Later pages take `P.pageLimit`.
 */
export function firstBookingPageSize(limit: number, opts: { dayWidened: boolean; filteredHere: boolean }): number {
  if (opts.filteredHere) return P.pageLimit;
  return Math.min(P.pageLimit, limit + 1 + (opts.dayWidened ? limit : 0));
}

/** Contacts of one connection's organization and how bookings link to them (§6), over `ctx.cache`. */
export interface ContactLinks {
  /** The cached contact listing. */
  contacts(): Promise<ContactRecord[]>;
  /**
   * The cached contact listing, read again first when it lacks more of the wanted contacts than
   * single look-ups are worth (`missing` counts them) and it is not brand new.
   */
  contactsCovering(missing: (items: ContactRecord[]) => number): Promise<ContactRecord[]>;
  /** Bookings mapped with their customer: the contact of the first invitee's e-mail. */
  linked(records: BookingRecord[]): Promise<UnifiedBooking[]>;
}

/**
 * The contact listing (cached `P.customerTtlMs`, with the time it was read) and the booking → customer
 * link made from it; every instance over the same `ctx.cache` shares what it read. Used by the
 * queries and by the webhook intake (`webhooks.ts`), so a pushed booking links exactly like a listed one.
 */
export function contactLinks(ctx: Ctx, client: DayScheduleClient): ContactLinks {
  const { cache } = ctx;
  /** Cache and data times (contact listing age, COMPLETED): not token time. */
  const now = () => Date.now();
  /** The contact listing with the time it was read (JSON-safe for the cache). */
  const contactListing = () =>
    cache.getOrLoad('contacts', P.customerTtlMs, async () => ({
      readAt: now(),
      items: await client.all('listCustomers', '/contacts', {}, contactSchema),
    }));
  const contacts = async () => (await contactListing()).items;
  /**
   * The cached contact listing, read again first when it lacks more of the wanted contacts than
   * single look-ups are worth (`missing` counts them) and it is not brand new.
   */
  const contactsCovering = async (missing: (items: ContactRecord[]) => number): Promise<ContactRecord[]> => {
    const listing = await contactListing();
    if (missing(listing.items) <= P.lookupsPerListing || now() - listing.readAt < P.listingMinAgeMs) return listing.items;
    await cache.invalidate('contacts');
    return contacts();
  };

  /** The contact id of one e-mail through the exact `email` filter (§3.3), cached, null when none. */
  const contactIdByEmail = (email: string) =>
    cache.getOrLoad(`contact-email:${email}`, P.customerTtlMs, async () => {
      const page = await client.page('listCustomers', '/contacts', { email }, contactSchema, 0, 1);
      return page.items[0]?.contact_id ?? null;
    });

  /**
   * Customer refs of bookings: the contact whose e-mail is the first invitee's (§6). One cached
   * contact listing answers most; e-mails it lacks (contacts created since, e.g. by bookings made
   * on the platform) are looked up one by one through the exact `email` filter — or, when more
   * are missing than that is worth, by reading the listing again first.
   */
  async function customerRefs(records: BookingRecord[]): Promise<Array<string | null>> {
    const emails = records.map(firstInviteeEmail);
    if (!emails.some(Boolean)) return emails.map(() => null);
    const wanted = [...new Set(emails.filter((e): e is string => !!e && EMAIL.test(e)))];
    const byEmail = (items: ContactRecord[]) => new Map(items.filter((c) => c.email).map((c) => [(c.email as string).trim().toLowerCase(), c.contact_id]));
    const known = byEmail(
      await contactsCovering((items) => {
        const listed = byEmail(items);
        return wanted.filter((e) => !listed.has(e)).length;
      }),
    );
    const missing = wanted.filter((e) => !known.has(e));
    const found = await mapLimit(missing, P.concurrency, contactIdByEmail);
    missing.forEach((e, i) => {
      const id = found[i];
      if (id) known.set(e, id);
    });
    // Contacts exist that the cached listing lacks, however young it is: it is stale. Drop it, so
    // the next reader (e.g. `getCustomers` for these very refs) reads it once, not each by id.
    if (found.some(Boolean)) await cache.invalidate('contacts');
    return emails.map((e) => (e ? (known.get(e) ?? null) : null));
  }

  async function linked(records: BookingRecord[]): Promise<UnifiedBooking[]> {
    const refs = await customerRefs(records);
    const at = now();
    return records.map((r, i) => toBooking(r, at, refs[i]));
  }

  return { contacts, contactsCovering, linked };
}

/**
 * The queries of one connection over `client`; one connection is one organization
 * (`ctx.settings.orgId`). Cached in `ctx.cache`: the directory (users, pages) and resources for
 * `P.referenceTtlMs`, the contact listing and e-mail look-ups for `P.customerTtlMs`; creating a
 * contact, or finding contacts the listing lacks, drops the listing. Every method throws `ProviderError`.
 */
export function dayscheduleQueries(ctx: Ctx, client: DayScheduleClient, links: ContactLinks = contactLinks(ctx, client)): DayScheduleQueries {
  const { cache } = ctx;
  const { contacts, contactsCovering, linked } = links;
  const orgId = ctx.settings.orgId;
  /** Cache and data times (contact listing age, COMPLETED): not token time. */
  const now = () => Date.now();
  const ours = (organizationRef: string | undefined) => organizationRef === undefined || organizationRef === orgId;

  const directory = () => cache.getOrLoad('directory', P.referenceTtlMs, () => loadDirectory(client));
  const organization = async () => organizationOf(await directory(), orgId);
  const resources = () => cache.getOrLoad('resources', P.referenceTtlMs, () => client.all('listServices', '/resources', {}, resourceSchema));
  /** A resource from the cached listing, else by id (null when unknown). */
  const resource = async (ref: string): Promise<ResourceRecord | null> =>
    !isObjectId(ref)
      ? null
      : ((await resources()).find((r) => r.id === ref) ??
        nullIfNotFound(() => client.get('getService', `/resources/${encodeURIComponent(ref)}`, resourceSchema)));

  const contact = async (ref: string): Promise<ContactRecord | null> =>
    !isObjectId(ref) ? null : nullIfNotFound(() => client.get('getCustomer', `/contacts/${encodeURIComponent(ref)}`, contactSchema));

  return {
    async listOrganizations() {
      return [await organization()];
    },

    async listServices(q) {
      if (!ours(q.organizationRef)) return { items: [], nextCursor: null };
      const page = await client.page('listServices', '/resources', {}, resourceSchema, offsetOf(q.cursor), q.limit);
      return { items: page.items.map(toService), nextCursor: page.next === null ? null : String(page.next) };
    },

    async listCustomers(q) {
      if (!ours(q.organizationRef)) return { items: [], nextCursor: null };
      const search = q.search?.trim();
      const offset = offsetOf(q.cursor);
      if (search && !EMAIL.test(search)) {
        // No name search on the platform: filter the cached listing, page locally.
        const needle = search.toLowerCase();
        const hits = (await contacts()).filter((c) => c.name.toLowerCase().includes(needle) || (c.email ?? '').toLowerCase().includes(needle));
        const slice = hits.slice(offset, offset + q.limit);
        return { items: slice.map(toCustomer), nextCursor: offset + slice.length < hits.length ? String(offset + slice.length) : null };
      }
      const page = await client.page('listCustomers', '/contacts', { email: search || undefined }, contactSchema, offset, q.limit);
      return { items: page.items.map(toCustomer), nextCursor: page.next === null ? null : String(page.next) };
    },

    /**
     * Bookings in (startsAt, ref) order after `q.after`. The platform filters by whole UTC days
     * (`start`, `end`) and sorts by `start_at`: ask for the widened day range, then filter exactly
     * here. The first page is only as large as the answer needs (`firstBookingPageSize`), later ones
     * full; pages are read until `limit` matches are certain: a later page can only hold later
     * starts, so reading stops once a page ends past the `limit`-th match (ties included) or past
     * `startsBefore`. Should a page ever come out of order, everything is read instead.
     */
    async listBookings(q) {
      if (!ours(q.organizationRef)) return [];
      const wanted = nativeStatuses(q.statuses);
      if (wanted && wanted.length === 0) return [];
      let email: string | null = null;
      if (q.customerRef) {
        const c = await contact(q.customerRef);
        email = c?.email?.trim().toLowerCase() || null;
        if (!email) return [];
      }
      const lower = lowerBoundMs(q) ?? -Infinity;
      const query = {
        start: Number.isFinite(lower) ? utcDay(lower) : undefined,
        end: q.startsBefore ? utcDay(q.startsBefore.getTime() - 1) : undefined,
        status: wanted?.length === 1 ? wanted[0] : undefined,
      };
      if (query.start && query.end && query.start > query.end) return [];
      if (q.limit <= 0) return [];

      const at = now();
      const firstSize = firstBookingPageSize(q.limit, {
        dayWidened: query.start !== undefined,
        filteredHere: email !== null || (!!wanted && !(wanted.length === 1 && statusExactly(wanted[0], q.statuses ?? []))),
      });
      const beforeMs = q.startsBefore?.getTime();
      const soFar: BookingMatch[] = []; // every match read so far, for the stop rule
      let inOrder = true;
      let lastStart = -Infinity;
      const matches = await collectPages(P.key, 'listBookings', async (offset: number | null) => {
        const page = await client.page('listBookings', '/bookings', query, bookingSchema, offset ?? 0, offset === null ? firstSize : P.pageLimit);
        const read: BookingMatch[] = [];
        for (const record of page.items) {
          const b = toBooking(record, at, null);
          const start = b.startsAt.getTime();
          if (start < lastStart) inOrder = false;
          lastStart = Math.max(lastStart, start);
          if (!email || firstInviteeEmail(record) === email) read.push({ record, startsAt: b.startsAt, ref: b.ref, status: b.status });
        }
        const found = finishBookingPage(read, { ...q, limit: read.length });
        soFar.push(...found);
        return { items: found, next: inOrder && matchesSettled(soFar, lastStart, q.limit, beforeMs) ? null : page.next };
      });
      const page = matches.sort(byStartThenRef).slice(0, q.limit);
      return linked(page.map((m) => m.record));
    },

    async getOrganizations(refs) {
      const org = refs.some((r) => r === orgId) ? await organization() : null;
      return refs.map((r) => (r === orgId ? org : null));
    },

    async getServices(refs) {
      return mapLimit(refs, P.concurrency, async (r) => {
        const found = await resource(r);
        return found ? toService(found) : null;
      });
    },

    async getCustomers(refs) {
      // No batch-by-id call exists: for several refs one (cached) listing beats a look-up each.
      const byId = new Map<string, ContactRecord>();
      if (refs.length >= P.customerListingMinRefs) {
        const listed = await contactsCovering((items) => {
          const ids = new Set(items.map((c) => c.contact_id));
          return refs.filter((r) => !ids.has(r)).length;
        });
        for (const c of listed) byId.set(c.contact_id, c);
      }
      return mapLimit(refs, P.concurrency, async (r): Promise<UnifiedCustomer | null> => {
        const found = byId.get(r) ?? (await contact(r));
        return found ? toCustomer(found) : null;
      });
    },

    async getBookings(refs) {
      const records = await mapLimit(refs, P.concurrency, async (r) =>
        isObjectId(r) ? nullIfNotFound(() => client.get('getBooking', `/bookings/${encodeURIComponent(r)}`, bookingSchema)) : null,
      );
      const present = records.filter((r): r is BookingRecord => r !== null);
      const mapped = new Map((await linked(present)).map((b) => [b.ref, b]));
      return records.map((r) => (r ? (mapped.get(r.booking_id) ?? null) : null));
    },

    async createCustomer(input) {
      if (!ours(input.organizationRef)) {
        throw new ProviderError(P.key, 'createCustomer', 'BAD_USER_INPUT', 'DaySchedule: the organization is not the one this connection is bound to');
      }
      if (!input.email) {
        throw new ProviderError(P.key, 'createCustomer', 'BAD_USER_INPUT', 'DaySchedule requires an e-mail address for every contact');
      }
      const created = await client.write(
        'createCustomer',
        'POST',
        '/contacts',
        { name: joinName(input.firstName, input.lastName), email: input.email, ...(input.phone ? { phone: input.phone } : {}) },
        contactSchema,
      );
      await cache.invalidate('contacts');
      return toCustomer(created);
    },

    async createBooking(input) {
      const [service, customer] = await Promise.all([resource(input.serviceRef), contact(input.customerRef)]);
      if (!service) throw new ProviderError(P.key, 'createBooking', 'BAD_USER_INPUT', 'DaySchedule does not know this service');
      if (!customer) throw new ProviderError(P.key, 'createBooking', 'BAD_USER_INPUT', 'DaySchedule does not know this customer');
      if (!customer.email) {
        throw new ProviderError(P.key, 'createBooking', 'BAD_USER_INPUT', 'DaySchedule needs the customer’s e-mail address to book');
      }
      // §6: the host is the resource's user; the contact is the invitee; no location preference.
      const created = await client.write(
        'createBooking',
        'POST',
        '/bookings',
        {
          resource: { resource_id: service.id },
          host: { user_id: service.user_id },
          start_at: input.startsAt.toISOString(),
          location: {},
          invitees: [{ name: customer.name, email: customer.email }],
        },
        bookingSchema,
      );
      return toBooking(created, now(), customer.contact_id);
    },

    async cancelBooking(ref, reason) {
      if (!isObjectId(ref)) throw new ProviderError(P.key, 'cancelBooking', 'BAD_USER_INPUT', 'DaySchedule has no booking with this id');
      const updated = await client.write(
        'cancelBooking',
        'PUT',
        `/bookings/${encodeURIComponent(ref)}`,
        { status: 'canceled', ...(reason ? { cancel_reason: reason } : {}) },
        bookingSchema,
      );
      return (await linked([updated]))[0];
    },

    /**
     * Free slots from the widget's public endpoint (§3.5) in windows of at most 31 days, asked in
     * UTC and filtered to [from, to). Slots are those of the resource's own user, the host
     * `createBooking` books with, so every slot offered can be booked.
     */
    async availability(serviceRef, from, to) {
      const service = await resource(serviceRef);
      if (!service) throw new ProviderError(P.key, 'availability', 'NOT_FOUND', 'DaySchedule found no such service');
      const minutes = durationInMinutes(service.durations[0]);
      const firstDay = Date.parse(utcDay(from.getTime()));
      const lastDay = Date.parse(utcDay(to.getTime() - 1));
      const out: UnifiedTimeSlot[] = [];
      for (let day = firstDay; day <= lastDay; day += P.availabilityMaxDays * DAY_MS) {
        const windowEnd = Math.min(lastDay, day + (P.availabilityMaxDays - 1) * DAY_MS);
        const answer = await client.publicGet(
          'availability',
          `/availability/${encodeURIComponent(service.id)}`,
          { start: utcDay(day), end: utcDay(windowEnd), time_zone: 'UTC', duration: minutes ?? undefined, user_id: service.user_id },
          availabilitySchema,
        );
        out.push(...toTimeSlots(answer, service.id, minutes).filter((s) => s.startsAt >= from && s.startsAt < to));
      }
      return out;
    },
  };
}
