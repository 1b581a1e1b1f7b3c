import type { IncomingHttpHeaders } from 'node:http';
import type { PlatformSlug } from '../../connectors/platforms.js';
import type { Clock } from './clock.js';
import type { Stats } from './stats.js';
import type { WebhookDispatcher } from './webhooks.js';

/** An emulated platform, by its slug (the platform list is `src/connectors/platforms.ts`). */
export type Platform = PlatformSlug;

/** Options every emulator takes (README §2). */
export interface EmulatorOptions {
  /** 0 or absent: a free random port. */
  port?: number;
  /** `YYYY-MM-DD`; seed data is spread around it. Default: today's UTC midnight. */
  anchorDate?: string;
  /** Extra redirect URIs to register for authorization-code platforms. */
  redirectUris?: string[];
  /** Enforce the platform's documented rate limits (default true). */
  rateLimits?: boolean;
  /** How long a webhook target may take to answer, in ms (default 10_000). */
  webhookTimeoutMs?: number;
}

/** A parsed request as platform handlers see it. */
export interface EmuRequest {
  method: string;
  /** Path without query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Named path parameters of the matched route (`/v2/bookings/:id` → `{ id }`). */
  params: Record<string, string>;
  rawBody: Buffer;
  /** Media type of the body, lower-cased, without parameters; null when absent. */
  mediaType: string | null;
  /** Media-type parameters other than the type itself (e.g. `charset`). */
  mediaTypeParams: Record<string, string>;
  /** The bearer token (scheme name case-insensitive), or null. */
  bearer(): string | null;
  /** HTTP Basic credentials, or null (malformed counts as absent). */
  basic(): { username: string; password: string } | null;
  /** The body as JSON: `{ ok: false }` when it is not valid JSON. Empty body → `{ ok: true, value: undefined }`. */
  json(): { ok: true; value: unknown } | { ok: false };
  /** The body as form fields (urlencoded or multipart). */
  form(): Promise<URLSearchParams>;
}

/** What a handler answers. `body` is serialized as JSON unless `raw` is given. */
export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string | Buffer;
  /** Content type for `raw` or JSON bodies; defaults to the platform's media type for JSON. */
  contentType?: string;
  /** Runs after the answer has been sent (webhooks caused by an API call start then). */
  after?: () => void;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

/**
 * How a route counts in `/__sandbox/stats`: `api` (default), `token` (counted by `grant_type`),
 * `revoke`, or `consent` (not counted).
 */
export type RouteKind = 'api' | 'token' | 'revoke' | 'consent';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path pattern; `:name` matches one segment. */
  path: string;
  kind?: RouteKind;
  handler: Handler;
}

/** What the framework hands a platform when it builds it. */
export interface EmulatorContext {
  platform: Platform;
  clock: Clock;
  stats: Stats;
  webhooks: WebhookDispatcher;
  options: Required<Pick<EmulatorOptions, 'rateLimits' | 'webhookTimeoutMs'>> & {
    anchorDate: string;
    redirectUris: string[];
  };
  /** The emulator's own origin, e.g. `http://127.0.0.1:4104` (known once listening). */
  baseUrl(): string;
}

/** What a platform module provides to the framework. */
export interface PlatformEmulator {
  /** The full Content-Type of JSON answers, e.g. `application/json; charset=utf-8` or `application/vnd.api+json`. */
  mediaType: string;
  routes: Route[];
  /** Grant types always present in `stats.token`. */
  grantTypes: string[];
  /** The platform's own error body for a status (used for 404, 405, injected faults, …). */
  errorResponse(status: number, message: string): EmuResponse;
  /** Checked after routing and before authentication; return a 429 response or null. */
  rateLimit?(req: EmuRequest): EmuResponse | null;
  /** `GET /__sandbox/credentials`. */
  credentials(): unknown;
  /** Restore seed data, tokens, subscriptions, dashboard credentials. */
  reset(): void;
  /** `POST /__sandbox/revoke-all`. */
  revokeAll(): { accessTokens: number; refreshTokens: number; codes: number };
  /** `POST /__sandbox/events`; throws `ControlError` for 400/404/409. */
  event(type: string, bookingId: string | undefined): Promise<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }>;
  /** Runs time-based work due at or before `nowMs` (time triggers), in time order. */
  tick?(nowMs: number): Promise<void>;
  /** Admin-UI stand-in for platforms whose webhooks are set up only in the web app. */
  webhookAdmin?: {
    list(): unknown[];
    create(body: unknown): unknown;
    remove(id: string): boolean;
  };
}

/** A control-route failure with its HTTP status (400, 404, 409). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type PlatformFactory = (ctx: EmulatorContext) => PlatformEmulator;
