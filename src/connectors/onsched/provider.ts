import { BookingEventType, WebhookMode } from '../enums.js';

/** OnSched, data only (contract: docs/platforms/onsched.md). */
export const onschedProvider = {
  key: 'ONSCHED' as const,
  slug: 'onsched' as const,
  displayName: 'OnSched',
  /** Production hosts (contract §1). */
  hosts: { api: 'https://v3.onsched.com', auth: 'https://v3.onsched.com' },
  /** The platform's own sandbox hosts, where it has them. */
  sandboxHosts: { api: 'https://api-stage.onsched.com', auth: 'https://api-stage.onsched.com' },
  docs: 'docs/platforms/onsched.md' as const,
  /** A dashboard refresh token exchanged for 60-minute JWTs; a company `x-api-key` on every call (§2). */
  auth: 'refresh_token' as const,
  /** The token manager's name of the connection's one token set (it serves every company, §2.3). */
  tokenName: 'default',
  /** `POST`, form-encoded, with `x-api-key` (§2.2). */
  tokenPath: '/v3/auth/token',
  /** The company of an `x-api-key` (§3.1). */
  companyPath: '/setup/v1/companies',
  /** V1 consumer paths served by V3 (§3). */
  apiPath: '/consumer/v1',
  /** Header carrying the company API key (the docs' `x-xpi-key` is a typo, §2.1). */
  companyKeyHeader: 'x-api-key',
  /** Renew this long before the JWT's `exp`. */
  expiryMarginSeconds: 60,
  /** `limit` maximum of list calls (above → 400, §3). */
  pageLimit: 100,
  /** The availability endpoint answers at most this many days (inclusive) per call (§3.5). */
  availabilityMaxDays: 31,
  /** Parallel calls per connection when fetching per company, per id or per availability window. */
  concurrency: 4,
  /**
   * A batch of at least this many customers of one company reads its (cached) listing instead of one
   * look-up each: at most one call (or one listing) per company per batch.
   */
  customerListingMinRefs: 2,
  /** Reference data (companies, locations, services) is cached this long. */
  referenceTtlMs: 300_000,
  /** Customer listings used to batch customer look-ups are cached this long. */
  customerTtlMs: 30_000,
  webhooks: {
    /**
     * V3 location webhooks registered through the API, no signature, no retries (§4, §6). The
     * reminder is a fixed 24 hours ahead, not the gateway's STARTING_SOON: the gateway times those.
     */
    mode: WebhookMode.NATIVE,
    push: 'api' as const,
    timedEvents: false,
    events: [BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED],
  },
  /** A location's V3 webhooks (§4): `GET` lists, `POST` adds one; `?locationId=`. */
  webhookPath: '/v3/webhook',
  /** Replaces a location's whole set, `{"webhooks":[…]}` (`?locationId=`): the only way to remove one (§4). */
  setWebhooksPath: '/v3/webhook/setWebhooks',
  /**
   * A header the webhook is configured to send, carrying the connection's receiver secret: OnSched
   * signs nothing, and sends configured headers as they are (§4).
   */
  secretHeader: 'X-Gateway-Token',
  /** Webhook triggers → unified events (§4, §6); the other triggers are no event of the unified model. */
  triggerEvents: {
    NEW_APPOINTMENT: BookingEventType.BOOKING_CREATED,
    APPOINTMENT_CANCELLED: BookingEventType.BOOKING_CANCELED,
  },
  /**
   * `changedBookings` reads the appointments starting in this window around now, in days: the list
   * has no updated-since filter, only local start dates (§3.4).
   */
  changesWindowDays: { past: 1, ahead: 32 },
} as const;
