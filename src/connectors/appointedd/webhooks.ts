import { declaredWebhooks, pushedJson, sameSecret } from '../webhook-push.js';
import type { z } from 'zod';
import { ProviderResponseError } from '../errors.js';
import type { BookingEventType } from '../enums.js';
import type { ConnectorContext, PlatformEvent, PushedRequest, WebhookCapabilities } from '../types.js';
import type { AppointeddCredentials } from './auth.js';
import type { AppointeddClient } from './client.js';
import { toBooking, toBookingFromPush } from './mapping.js';
import { appointeddProvider as P } from './provider.js';
import type { AppointeddSettings } from './queries.js';
import { bookingSchema, pushedBookingSchema, webhookPushSchema } from './schemas.js';

/**
 * Appointedd's booking events (docs/platforms/appointedd.md §4, §6): webhooks are set up only in the
 * web app, one trigger each, and are not signed, only authenticated (basic auth or a custom header).
 * The gateway polls (`filter[updated_gte]`, §3.4) and, where an operator set up the webhooks with the
 * secret, checks and maps the pushes.
 */

type Ctx = ConnectorContext<AppointeddCredentials, AppointeddSettings>;

/** One header's value; null when absent or repeated (a repeated secret header is not a push of the platform). */
function single(value: string | string[] | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** The password of an `Authorization: Basic …` header (RFC 7617: `user:password`, base64), or null. */
export function basicPassword(authorization: string | null): string | null {
  const m = authorization ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * Whether a push carries `secret` the way an operator can set it up in the web app (§4): the custom
 * header `P.webhooks.secretHeader` with the secret as its value, or basic auth with any username and
 * the secret as password. Both are checked (in constant time) whichever is present. The body is not
 * covered: the platform does not sign. False for an empty secret. Pure; never throws.
 */
export function pushAuthorized(headers: PushedRequest['headers'], secret: string): boolean {
  if (!secret) return false;
  try {
    const header = single(headers[P.webhooks.secretHeader]);
    const password = basicPassword(single(headers.authorization));
    const byHeader = header !== null && sameSecret(header, secret);
    const byBasic = password !== null && sameSecret(password, secret);
    return byHeader || byBasic;
  } catch {
    return false;
  }
}

/** `value` parsed with `schema`, or a `ProviderResponseError` naming the first problem (STYLE: parse at the boundary). */
function parsePushed<S extends z.ZodType>(value: unknown, schema: S, detail: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ProviderResponseError(P.key, 'parseWebhook', `${detail}${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/**
 * The booking events of one push (§4): `booking_created` and `booking_cancelled`, their data mapped by
 * `toBookingFromPush` into the booking `listBookings` gives (same ref, status, service and customer
 * refs), without a call; every other trigger, and a booking of an account outside `accountIds` (an
 * operator may reuse the URL in an account this connection does not cover), is none. The platform
 * sends no event id and no event time. Throws `ProviderResponseError` when the body is not a push of
 * the platform.
 */
export function pushedEvents(rawBody: Buffer, accountIds: readonly string[], nowMs: number): PlatformEvent[] {
  const json = pushedJson(P.key, rawBody);
  const push = parsePushed(json, webhookPushSchema, '');
  const type: BookingEventType | undefined = (P.webhooks.pushedEvents as Record<string, BookingEventType>)[push.event_type];
  if (!type) return [];
  const booking = toBookingFromPush(parsePushed(push.event_data, pushedBookingSchema, 'event_data.'), nowMs);
  if (!accountIds.includes(booking.organizationRef)) return [];
  return [{ eventId: null, type, booking, occurredAt: null }];
}

/**
 * What the gateway can do about Appointedd booking events for one connection. `changedBookings` is one
 * bookings listing over every account of the connection (`filter[account_id]`, comma-separated, §3)
 * with `filter[updated_gte]`, 100 a page: one call per 100 bookings changed (at least one).
 */
export function appointeddWebhooks(ctx: Ctx, client: AppointeddClient): WebhookCapabilities {
  const accountIds = ctx.settings.accountIds;
  /** For COMPLETED (a booking whose end has passed): the data's clock, as in `queries.ts`. */
  const now = () => Date.now();
  return {
    ...declaredWebhooks(P.webhooks),

    verify(req: PushedRequest, secret: string): boolean {
      return pushAuthorized(req.headers, secret);
    },

    async parse(req: PushedRequest): Promise<PlatformEvent[]> {
      return pushedEvents(req.rawBody, accountIds, now());
    },

    async changedBookings(since: Date) {
      if (accountIds.length === 0) return [];
      const records = await client.all(
        'changedBookings',
        '/bookings',
        { 'filter[account_id]': accountIds.join(','), 'filter[updated_gte]': since.toISOString() },
        bookingSchema,
      );
      const at = now();
      return records.map((b) => toBooking(b, at));
    },
  };
}
