import { BookingEventType, WebhookMode } from '../enums.js';

/** Appointedd, data only (contract: docs/platforms/appointedd.md). */
export const appointeddProvider = {
  key: 'APPOINTEDD' as const,
  slug: 'appointedd' as const,
  displayName: 'Appointedd',
  /** Production hosts (contract §1). */
  hosts: { api: 'https://json-api.appointedd.com', auth: 'https://json-api.appointedd.com' },
  /** The platform's own sandbox hosts, where it has them. */
  sandboxHosts: null,
  docs: 'docs/platforms/appointedd.md' as const,
  auth: 'client_credentials' as const,
  tokenPath: '/v2/oauth/tokens',
  apiPath: '/v2',
  /** Requested access-token lifetime (the platform allows 300 … 315 360 000 s; default 3600). */
  defaultTokenLifetimeSeconds: 3_600,
  /** Renew this long before expiry. */
  expiryMarginSeconds: 60,
  /** `page[limit]` maximum. */
  pageLimit: 100,
  /** The availability endpoint answers at most this many days per call. */
  availabilityMaxDays: 42,
  /** HTTP calls in flight per batch get (`getServices`, `getCustomers`, `getBookings` fetch by id). */
  concurrency: 8,
  /** Reference data (accounts, services) is cached this long. */
  referenceTtlMs: 300_000,
  /** Customer listings used to batch customer look-ups are cached this long. */
  customerTtlMs: 30_000,
  /**
   * A batch of at least this many customers reads the (cached) customer listing instead of one
   * look-up each: at most one call (or one listing) per batch.
   */
  customerListingMinRefs: 2,
  /**
   * Calls (one-item counts, window pages) `listBookings` may spend narrowing a listing that would take
   * more than two more pages to a window of starts, before it reads everything instead.
   */
  bookingWindowCalls: 8,
  /**
   * Webhooks are set up only in the web app, one trigger each, authenticated by basic auth or a custom
   * header and never signed (§4): polling (`filter[updated_gte]`, §3.4) with pushes checked and mapped
   * where an operator set them up.
   */
  webhooks: {
    mode: WebhookMode.POLLING,
    events: [BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED],
    push: 'web-app',
    /** The platform pushes no starting/started/ended events (§6). */
    timedEvents: false,
    /**
     * The custom header an operator names in the webhook's authentication, with the secret as its value
     * (or basic auth with any username and the secret as password). Lower case, as Node hands headers over.
     */
    secretHeader: 'x-gateway-token',
    /** Pushed triggers the unified model has (§6); every other trigger is acknowledged and dropped. */
    pushedEvents: {
      booking_created: BookingEventType.BOOKING_CREATED,
      booking_cancelled: BookingEventType.BOOKING_CANCELED,
    },
  },
} as const;
