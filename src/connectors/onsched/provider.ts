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
    /** V3 location webhooks, no signature, no retries (§4, §6). */
    mode: WebhookMode.NATIVE,
    events: [BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED],
  },
} as const;
