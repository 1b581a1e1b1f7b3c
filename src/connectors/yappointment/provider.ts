import { BookingEventType, WebhookMode } from '../enums.js';

/**
 * The scope each capability needs (contract §2.4). `companies:read` covers `/me`; the platform does
 * not echo granted scopes, so what was requested is what the token set records.
 */
export const YAPPOINTMENT_SCOPES = {
  readBookings: 'bookings:read',
  writeBookings: 'bookings:write',
  readServices: 'services:read',
  readAvailability: 'calendars:read',
  readCustomers: 'customers:read',
  writeCustomers: 'customers:write',
  readCompany: 'companies:read',
} as const;

/** yAppointment, data only (contract: docs/platforms/yappointment.md). */
export const yappointmentProvider = {
  key: 'YAPPOINTMENT' as const,
  slug: 'yappointment' as const,
  displayName: 'yAppointment',
  /** Production hosts (contract §1). */
  hosts: { api: 'https://api.yappointment.com', auth: 'https://yappointment.com' },
  /** The platform's own sandbox hosts, where it has them. */
  sandboxHosts: null,
  docs: 'docs/platforms/yappointment.md' as const,
  auth: 'authorization_code' as const,
  /** PKCE S256 is required at the authorize endpoint (§2.1). */
  pkce: true,
  /** On the consent host (`ctx.endpoints.authUrl`, production `https://yappointment.com`). */
  authorizePath: '/oauth/authorize',
  /** On the API host (`ctx.endpoints.apiUrl`, production `https://api.yappointment.com`, §1). */
  tokenPath: '/oauth/token',
  revokePath: '/oauth/revoke',
  apiPath: '/api/v1',
  /**
   * Requested in this order, space-separated, on every authorization: the read scopes the connector's
   * reads need, all in the platform's scope list (§2.4, Documented).
   */
  scopes: [
    YAPPOINTMENT_SCOPES.readBookings,
    YAPPOINTMENT_SCOPES.readServices,
    YAPPOINTMENT_SCOPES.readAvailability,
    YAPPOINTMENT_SCOPES.readCustomers,
    YAPPOINTMENT_SCOPES.readCompany,
  ],
  /**
   * Added for a connection that asks to write (`startConnection(write: true)`, §2.4). `customers:write`
   * is not in the platform's document (Assumed by the emulator), so it is never asked for: the platform
   * decides whether `createCustomer` works on a grant without it.
   */
  writeScopes: [YAPPOINTMENT_SCOPES.writeBookings],
  /** Access tokens live 3600 s (§2.2); renew this long before expiry. */
  expiryMarginSeconds: 120,
  /** `limit` maximum of list bodies (§3). */
  pageLimit: 100,
  /** `/slots` answers at most this many days per call (§3.5). */
  availabilityMaxDays: 31,
  /** HTTP calls in flight per batch get (`getServices`, `getCustomers`, `getBookings` fetch by id). */
  concurrency: 8,
  /** Reference data (company, services) is cached this long. */
  referenceTtlMs: 300_000,
  /** Customer listings used to batch customer look-ups are cached this long. */
  customerTtlMs: 30_000,
  /**
   * A batch of at least this many customers reads the (cached) customer listing instead of one
   * look-up each: at most one call (or one listing) per batch.
   */
  customerListingMinRefs: 2,
  /**
   * Webhooks are registered only in the web app (§4), which shows the secret an operator hands the
   * gateway: polling (`filter.updatedSince`, §3.4) with pushes verified and mapped where set up.
   */
  webhooks: {
    mode: WebhookMode.POLLING,
    events: [BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED],
    push: 'web-app',
    /** The platform pushes no starting/started/ended events (§6). */
    timedEvents: false,
    /** Hex HMAC-SHA256 of the raw body, keyed with the webhook secret (§4 "Delivery"); Node lower-cases header names. */
    signatureHeader: 'x-webhook-signature',
    /** Pushed event names the unified model has (§6); every other event is acknowledged and dropped. */
    pushedEvents: {
      'booking.created': BookingEventType.BOOKING_CREATED,
      'booking.cancelled': BookingEventType.BOOKING_CANCELED,
    },
  },
} as const;
