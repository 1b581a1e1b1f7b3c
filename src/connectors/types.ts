import type { HttpClient } from './http.js';
import type { ConnectionTokens } from '../tokens/token-manager.js';
import type { ConnectorCache } from './cache.js';
import type { BookingEventType, BookingStatus, WebhookMode } from './enums.js';

/**
 * The unified records a connector produces. `ref` is the connector's own locator of a record
 * (opaque to the gateway, stable, URL-safe text): it goes into global IDs and comes back to the
 * connector in `get*` calls. For most platforms `ref === nativeId`; where an id is only meaningful
 * inside an organization (bookingtime, OnSched), the connector folds the organization into `ref`.
 */
export interface RecordBase {
  ref: string;
  nativeId: string;
  /** The platform's own record, untouched (GraphQL `raw`). */
  raw: unknown;
}

export interface UnifiedOrganization extends RecordBase {
  name: string;
  timezone: string | null;
}

export interface UnifiedService extends RecordBase {
  organizationRef: string;
  name: string;
  description: string | null;
  durationMinutes: number | null;
  price: { amount: number; currency: string } | null;
}

export interface UnifiedCustomer extends RecordBase {
  organizationRef: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
}

export interface UnifiedBooking extends RecordBase {
  organizationRef: string;
  status: BookingStatus;
  startsAt: Date;
  endsAt: Date;
  timezone: string | null;
  serviceRef: string | null;
  customerRef: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface UnifiedTimeSlot {
  startsAt: Date;
  endsAt: Date;
  serviceRef: string;
  available: number | null;
}

/** A page of a connector's own list, with the connector's own cursor for the next one. */
export interface Page<T> {
  items: T[];
  /** Opaque to the gateway; null at the end. */
  nextCursor: string | null;
}

export interface BookingQuery {
  /** Restrict to one organization of the connection. */
  organizationRef?: string;
  /** Restrict to one customer. */
  customerRef?: string;
  statuses?: BookingStatus[];
  /** Inclusive lower bound on startsAt. */
  startsAfter?: Date;
  /** Exclusive upper bound on startsAt. */
  startsBefore?: Date;
  /**
   * Keyset position: return only bookings strictly after (startsAt, ref) in (startsAt, ref) order.
   * Refs compare as JavaScript strings (UTF-16 code units).
   */
  after?: { startsAt: Date; ref: string };
  /** How many to return at most (the gateway asks for one more than it needs). */
  limit: number;
}

export interface ListQuery {
  organizationRef?: string;
  /** Connector cursor from a previous `Page.nextCursor`. */
  cursor?: string | null;
  limit: number;
}

export interface CreateCustomerInput {
  organizationRef: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
}

export interface CreateBookingInput {
  serviceRef: string;
  customerRef: string;
  startsAt: Date;
}

/** A request the platform pushed to the gateway's receiver, as received (nothing parsed yet). */
export interface PushedRequest {
  /** Header names in lower case (Node's `IncomingMessage.headers`). */
  headers: Record<string, string | string[] | undefined>;
  /** The query string of the receiver URL as called. */
  query: URLSearchParams;
  /** The exact bytes of the body (signatures are computed over these). */
  rawBody: Buffer;
}

/** A booking event the platform reported (pushed, or found by the connector), mapped to the unified model. */
export interface PlatformEvent {
  /** The platform's own id of this event (its retries repeat it); null where the platform has none. */
  eventId: string | null;
  type: BookingEventType;
  booking: UnifiedBooking;
  /** When it happened on the platform; null when the payload does not say (the gateway uses the time it arrived). */
  occurredAt: Date | null;
}

/**
 * What the gateway registered at the platform for one connection (NATIVE platforms): the connector's
 * own record (trigger ids, locations), stored by the gateway as JSON and handed back on the next sync.
 */
export type WebhookRegistration = Record<string, unknown>;

/** Where the platform should push: the gateway's receiver for the connection, and the secret that proves a push is genuine. */
export interface ReceiverTarget {
  /** `https://gateway.example/webhooks/<slug>/<unguessable id>` (no query string). */
  url: string;
  /** Made by the gateway (NATIVE); the connector puts it where the platform echoes it (a URL parameter, a header). */
  secret: string;
}

/**
 * What the gateway can do about booking events for this platform.
 *
 * - `mode`: NATIVE when the connector registers webhooks through the platform's API (`sync`), else POLLING.
 * - `push`: how pushed requests reach the gateway: `api` (registered by `sync`), `web-app` (an operator pastes
 *   the receiver URL into the platform's web app, which shows a secret the operator hands the gateway),
 *   `none` (the platform cannot push).
 * - `timedEvents`: the platform itself pushes BOOKING_STARTING_SOON/STARTED/ENDED; elsewhere the gateway
 *   schedules them from booking times.
 *
 * The gateway polls every connection that has a subscription (`poll`), NATIVE ones too (platforms that
 * push once and never retry lose events; polling reconciles), and de-duplicates by (booking, type).
 */
export interface WebhookCapabilities {
  mode: WebhookMode;
  events: BookingEventType[];
  push: 'api' | 'web-app' | 'none';
  timedEvents: boolean;
  /**
   * NATIVE only: makes what is registered at the platform for this connection match `events` (the union
   * of the connection's subscriptions), pushing to `target`. `previous` is what the last sync answered
   * (null the first time). An empty `events` removes everything the gateway registered and answers null.
   * Registers nothing the platform would push twice, and never touches webhooks the gateway did not make.
   */
  sync?(target: ReceiverTarget, events: readonly BookingEventType[], previous: WebhookRegistration | null): Promise<WebhookRegistration | null>;
  /**
   * Whether `req` was pushed by the platform for this connection: checked against `secret` (the gateway's
   * for `api`, the operator's for `web-app`) in constant time, over the raw bytes where the platform signs.
   * Never throws.
   */
  verify?(req: PushedRequest, secret: string): boolean;
  /**
   * The booking events in a verified push (empty for pushes that are not booking events the unified model
   * has, e.g. customer updates). Throws `ProviderError` when the body is not the platform's payload.
   */
  parse?(req: PushedRequest): Promise<PlatformEvent[]>;
  /**
   * Bookings that may have changed since `since` (platform time; the gateway passes an instant with some
   * overlap): the platform's updated-since filter where it has one, else every booking of a window the
   * connector chooses (at least the past day and the next 31 days). The gateway compares them with what it
   * saw before, so extra, unchanged bookings are harmless; missing changed ones are not.
   */
  changedBookings(since: Date): Promise<UnifiedBooking[]>;
}

/**
 * One platform, bound to one connection. Everything about the platform lives behind this
 * interface: its tokens, HTTP calls, payload parsing and mapping. Every method throws
 * `ProviderError` (classified) — never a raw fetch or parse error.
 *
 * Ordering contract for `listBookings`: items sorted by (startsAt, ref) ascending and strictly after
 * `query.after`, so the gateway can merge connections with a keyset cursor and never skip or repeat.
 */
export interface Connector {
  listOrganizations(): Promise<UnifiedOrganization[]>;
  listServices(query: ListQuery): Promise<Page<UnifiedService>>;
  listCustomers(query: ListQuery & { search?: string }): Promise<Page<UnifiedCustomer>>;
  listBookings(query: BookingQuery): Promise<UnifiedBooking[]>;
  /** Batch gets by ref, answering in the same order; null for an unknown ref. */
  getOrganizations(refs: readonly string[]): Promise<Array<UnifiedOrganization | null>>;
  getServices(refs: readonly string[]): Promise<Array<UnifiedService | null>>;
  getCustomers(refs: readonly string[]): Promise<Array<UnifiedCustomer | null>>;
  getBookings(refs: readonly string[]): Promise<Array<UnifiedBooking | null>>;
  createCustomer(input: CreateCustomerInput): Promise<UnifiedCustomer>;
  createBooking(input: CreateBookingInput): Promise<UnifiedBooking>;
  cancelBooking(ref: string, reason: string | null): Promise<UnifiedBooking>;
  availability(serviceRef: string, from: Date, to: Date): Promise<UnifiedTimeSlot[]>;
  readonly webhooks: WebhookCapabilities;
  /**
   * Renews the connection's long-lived grant when it ends within `withinMs` (an idle connection would
   * otherwise lose it); true when it renewed. Absent where grants do not expire.
   */
  keepAlive?(withinMs: number): Promise<boolean>;
}

/** The gateway's app as registered with a platform (configuration). */
export interface AppIdentity {
  clientId?: string;
  clientSecret?: string;
  /** The app's registered name, where the platform's API names it (DaySchedule's trigger path). */
  appName?: string;
}

/** Platform endpoints a connection uses (production or sandbox hosts, or the emulators). */
export interface Endpoints {
  apiUrl: string;
  authUrl: string;
}

/**
 * What a connector gets from the gateway for one connection. Secrets arrive decrypted here and
 * nowhere else; tokens go through `tokens`.
 */
export interface ConnectorContext<Credentials = unknown, Settings = Record<string, unknown>> {
  connectionId: string;
  /** The platform's key (`APPOINTEDD`). */
  provider: string;
  sandbox: boolean;
  endpoints: Endpoints;
  /** The app's client id/secret from configuration (authorization-code platforms). */
  app: AppIdentity;
  credentials: Credentials;
  /** Non-secret settings discovered at connect time (organization ids, …). */
  settings: Settings;
  http: HttpClient;
  tokens: ConnectionTokens;
  /** Short-lived cache for reference data, namespaced per connection. */
  cache: ConnectorCache;
}

/**
 * What connecting discovered: what to store, what to call it, and which account it is. `accountId`
 * is the platform's stable identity of what the grant reaches (its user, company, client): a second
 * connection of the same tenant to the same account updates the first instead of duplicating it.
 */
export interface Connected<Settings> {
  settings: Settings;
  label: string;
  accountId: string;
}

/**
 * A platform module: builds connectors and runs the connect step for server-to-server platforms.
 * `connect` validates the credentials against the platform (a real token request) and returns what
 * to store. A refused grant surfaces as `GrantRevokedError` (the gateway reports it as bad input);
 * other refusals as `ProviderError` with code BAD_USER_INPUT naming what the platform rejected.
 */
export interface ConnectorModule<Credentials = unknown, Settings = Record<string, unknown>> {
  /** Validates `input.credentials` (client input, untrusted) into the stored shape. */
  parseCredentials(input: unknown): Credentials;
  /** Checks the credentials with the platform and discovers settings (organizations, …). */
  connect?(ctx: ConnectorContext<Credentials, Settings>): Promise<Connected<Settings>>;
  create(ctx: ConnectorContext<Credentials, Settings>): Connector;
  /** Revokes the grant at the platform, where the platform can (disconnect). */
  revoke?(ctx: ConnectorContext<Credentials, Settings>): Promise<void>;
  /** Present for platforms a person connects through a consent screen (OAuth authorization code). */
  oauth?: OAuthCapability<Credentials, Settings>;
}

/**
 * The platform half of the consent flow; the gateway owns state, PKCE verifiers, the callback
 * route and connection status. `ctx.app` holds the app's client id and secret (configuration).
 */
export interface OAuthCapability<Credentials = unknown, Settings = Record<string, unknown>> {
  /** Whether the platform takes PKCE (S256); the gateway then makes and keeps the verifier. */
  pkce: boolean;
  /**
   * The platform's authorize URL for this request (client id, redirect URI, scopes, state, challenge).
   * `write`: the connection asked to write (`startConnection(write: true)`); platforms with scopes then
   * ask for their write scopes too.
   */
  authorizeUrl(ctx: ConnectorContext<Credentials, Settings>, params: { state: string; redirectUri: string; codeChallenge?: string; write?: boolean }): string;
  /**
   * Exchanges the code (with the verifier when PKCE), stores the token set with
   * `ctx.tokens.put(…)` under a name of its own and discovers what was connected. Throws `ProviderError`
   * (code BAD_USER_INPUT when the platform refused the code or verifier) on failure.
   */
  exchangeCode(
    ctx: ConnectorContext<Credentials, Settings>,
    params: { code: string; redirectUri: string; codeVerifier?: string; write?: boolean },
  ): Promise<Connected<Settings>>;
}
