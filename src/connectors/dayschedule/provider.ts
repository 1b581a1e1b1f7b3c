import { BookingEventType, WebhookMode } from '../enums.js';

/** DaySchedule, data only (contract: docs/platforms/dayschedule.md). */
export const dayscheduleProvider = {
  key: 'DAYSCHEDULE' as const,
  slug: 'dayschedule' as const,
  displayName: 'DaySchedule',
  /** Production hosts (contract §1). */
  hosts: { api: 'https://api.dayschedule.com', auth: 'https://api.dayschedule.com' },
  /** The platform's own sandbox hosts, where it has them. */
  sandboxHosts: null,
  docs: 'docs/platforms/dayschedule.md' as const,
  /** OAuth2 authorization code without PKCE; rotating refresh tokens (§2). */
  auth: 'authorization_code' as const,
  pkce: false,
  /** Consent page on the API host (§2.1). */
  authorizePath: '/v1/oauth2/authorize',
  /** `POST`, JSON only, client id/secret in the body (§2.2). */
  tokenPath: '/v1/oauth2/token',
  /** The authenticated v1 API (§2.3, §3). */
  apiPath: '/v1',
  /** The widget's public API, no credentials (§3.5). */
  publicPath: '/v2/public',
  /** Access tokens live 3600 s (§2.2); renew this long before expiry. */
  expiryMarginSeconds: 120,
  /** `limit` maximum of list calls (§3; Assumed by the contract). */
  pageLimit: 100,
  /** The availability endpoint answers at most this many days (both ends included) per call (§3.5). */
  availabilityMaxDays: 31,
  /** HTTP calls in flight per batch get, and per batch of contact look-ups by e-mail (linking bookings). */
  concurrency: 8,
  /** Reference data (users, pages, resources) is cached this long. */
  referenceTtlMs: 300_000,
  /** Contact listings and e-mail look-ups used to link bookings to customers are cached this long. */
  customerTtlMs: 30_000,
  /**
   * Up to this many contacts missing from the cached listing are looked up one by one (by e-mail, to
   * link bookings); more → the listing is read again.
   */
  lookupsPerListing: 3,
  /** …unless the cached listing is younger than this (then the contacts really do not exist). */
  listingMinAgeMs: 2_000,
  /**
   * A batch of at least this many customers reads the (cached) contact listing instead of one
   * look-up each: at most one call (or one listing) per batch.
   */
  customerListingMinRefs: 2,
  webhooks: {
    /** App triggers, one per type (§4); subscription management comes later. */
    mode: WebhookMode.NATIVE,
    events: [
      BookingEventType.BOOKING_CREATED,
      BookingEventType.BOOKING_CANCELED,
      BookingEventType.BOOKING_STARTING_SOON,
      BookingEventType.BOOKING_STARTED,
      BookingEventType.BOOKING_ENDED,
    ],
  },
  /** Native trigger types → unified events (§6). */
  triggerEvents: {
    event_scheduled: BookingEventType.BOOKING_CREATED,
    event_canceled: BookingEventType.BOOKING_CANCELED,
    before_event: BookingEventType.BOOKING_STARTING_SOON,
    event_start: BookingEventType.BOOKING_STARTED,
    event_end: BookingEventType.BOOKING_ENDED,
  },
} as const;
