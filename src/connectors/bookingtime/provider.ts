import { BookingEventType, WebhookMode } from '../enums.js';

/** bookingtime, data only (contract: docs/platforms/bookingtime.md). */
export const bookingtimeProvider = {
  key: 'BOOKINGTIME' as const,
  slug: 'bookingtime' as const,
  displayName: 'bookingtime',
  /** Production hosts (contract §1). */
  hosts: { api: 'https://api.bookingtime.com', auth: 'https://auth.bookingtime.com' },
  /** The platform's own sandbox hosts, where it has them. */
  sandboxHosts: null,
  docs: 'docs/platforms/bookingtime.md' as const,
  /** Client credentials → 30-day refresh token → 5-minute access token per organization (§2). */
  auth: 'client_credentials_refresh_per_organization' as const,
  tokenPath: '/oauth/token',
  /** App API base path; `{locale}` is required (§1). */
  apiPath: '/app/v3',
  /** Locale segment of every App API path; message texts follow it. */
  locale: 'en',
  /** Token names in the token manager: the long-lived refresh token, the organization-less token, one per organization. */
  tokenNames: { refresh: 'refresh', app: 'app', organizationPrefix: 'org:' },
  /** Renew access tokens this long before expiry (the SDK renews 60 s early). */
  accessMarginSeconds: 60,
  /** Renew the 30-day refresh token (client credentials again) this long before it runs out. */
  refreshMarginSeconds: 86_400,
  /** Records per `PAGINATION_LIST` page (§3). */
  pageSize: 25,
  /**
   * Without a lower bound, `listBookings` starts this many months before now. No route tells where
   * an organization's appointments begin (no list-all, count or date-range route, §3.4), so a first
   * page without `startsAfter` reads every month of this look-back once (then cached, see
   * `pastMonthTtlMs`); with a lower bound (`startsAfter`, the keyset position) it starts there.
   */
  bookingLookbackMonths: 12,
  /** Without `startsBefore`, `listBookings` walks at most this many months past the later of its lower bound and now. */
  bookingHorizonMonths: 12,
  /** Organizations and booking templates are cached this long. */
  referenceTtlMs: 300_000,
  /** Customer listings used to batch customer look-ups are cached this long. */
  customerTtlMs: 30_000,
  /**
   * Months that ended more than a day ago (and so can no longer change: bookings and moves go into
   * free slots ahead, ended appointments can be neither cancelled nor moved) are cached this long.
   */
  pastMonthTtlMs: 300_000,
  /**
   * The current and future months are cached this long: not at all. The gateway's response cache
   * already reuses whole `bookings` answers for a few seconds in front of the connector
   * (`DEFAULT_RESPONSE_TTLS.bookings`) and drops them on writes; a second layer here would add its
   * age to that one and outlive those drops, and reads that run with the response cache off must
   * reach the platform (changes made on bookingtime's own site, token renewal after a 401). Identical
   * month reads in flight share one HTTP call all the same.
   */
  liveMonthTtlMs: 0,
  /**
   * Calendar months read at once, per organization: one round of `listBookings` (which reads a
   * further round only while its page is not settled), `availability` over its range.
   */
  monthsInFlight: 4,
  /** Months the first round of `listBookings` reads when the query has a lower bound (its month and the next). */
  boundedFirstRoundMonths: 2,
  /** `availability` reads at most this many calendar months of free slots (later months are left out). */
  availabilityMaxMonths: 24,
  /** HTTP calls in flight per batch get, and organizations read at once by `listServices`. */
  concurrency: 8,
  /** A batch of at least this many customers of one organization reads its (cached) listing instead of one show each. */
  customerListingMinRefs: 2,
  /**
   * No webhooks and no updated-since filter (§4, §3.4): the gateway diffs what `changedBookings`
   * reads, every appointment of the local months around now, per organization.
   */
  webhooks: {
    mode: WebhookMode.POLLING,
    events: [BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED],
    push: 'none',
    timedEvents: false,
    /** A poll reads the local months from this long before now (at least the past day)… */
    pollBehindMs: 86_400_000,
    /** …to this long after it (at least the next 31 days), and always the current and the next month. */
    pollAheadMs: 31 * 86_400_000,
  },
} as const;
