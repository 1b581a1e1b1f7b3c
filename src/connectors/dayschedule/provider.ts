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
    /** App triggers, one per type, registered through the API (§4); the platform fires the timed ones itself. */
    mode: WebhookMode.NATIVE,
    push: 'api' as const,
    timedEvents: true,
    events: [
      BookingEventType.BOOKING_CREATED,
      BookingEventType.BOOKING_CANCELED,
      BookingEventType.BOOKING_STARTING_SOON,
      BookingEventType.BOOKING_STARTED,
      BookingEventType.BOOKING_ENDED,
    ],
  },
  /**
   * The gateway's marketplace app as the trigger path names it (§1, §4: the lower-case app name,
   * `unifiedgateway` in the emulator). It is neither the client id nor anything an API call tells:
   * it is how the app was registered with DaySchedule. `DAYSCHEDULE_APP_NAME` overrides it.
   */
  appName: 'unifiedgateway',
  /** Trigger subscription under `apiPath`, the app name appended (§4): `POST /v1/webhook/{app_name}`. */
  triggerPath: '/webhook',
  /**
   * Query parameter of the registered URL that carries the connection's receiver secret: deliveries
   * are not signed and the URL is called exactly as registered (§4).
   */
  secretParam: 'k',
  /**
   * `changedBookings` reads the bookings starting in this window around now, in days: the list has no
   * updated-since filter, only whole UTC days of `start_at` (§3.4).
   */
  changesWindowDays: { past: 1, ahead: 32 },
  /** Native trigger types → unified events (§6). */
  triggerEvents: {
    event_scheduled: BookingEventType.BOOKING_CREATED,
    event_canceled: BookingEventType.BOOKING_CANCELED,
    before_event: BookingEventType.BOOKING_STARTING_SOON,
    event_start: BookingEventType.BOOKING_STARTED,
    event_end: BookingEventType.BOOKING_ENDED,
  },
} as const;
