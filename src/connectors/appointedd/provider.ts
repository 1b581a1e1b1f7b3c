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
  webhooks: {
    mode: WebhookMode.POLLING,
    events: [BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED],
  },
} as const;
