import { createHmac, timingSafeEqual } from 'node:crypto';
import { declaredWebhooks, pushedJson } from '../webhook-push.js';
import type { z } from 'zod';
import { ProviderResponseError } from '../errors.js';
import type { BookingEventType } from '../enums.js';
import type { ConnectorContext, PlatformEvent, PushedRequest, WebhookCapabilities } from '../types.js';
import type { YAppointmentCredentials } from './auth.js';
import type { YAppointmentClient } from './client.js';
import { toBooking } from './mapping.js';
import { yappointmentProvider as P } from './provider.js';
import type { YAppointmentSettings } from './queries.js';
import { bookingSchema, webhookPushSchema } from './schemas.js';

/**
 * yAppointment's booking events (docs/platforms/yappointment.md §4, §6): webhooks exist but are set up
 * only in the web app, so the gateway polls (`filter.updatedSince`, §3.4) and, where an operator pasted
 * the receiver URL there, verifies and maps the pushes.
 */

type Ctx = ConnectorContext<YAppointmentCredentials, YAppointmentSettings>;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Whether `signature` (the `X-Webhook-Signature` header) is the hex HMAC-SHA256 of `rawBody` keyed with
 * `secret` (§4 "Verifying"), compared in constant time over the digest bytes. False for a missing,
 * repeated or malformed header and for an empty secret (a key anyone can use). Pure; never throws.
 */
export function signatureValid(rawBody: Buffer, signature: string | string[] | undefined, secret: string): boolean {
  if (typeof signature !== 'string' || !secret) return false;
  const hex = signature.trim();
  if (!HEX_SHA256.test(hex)) return false;
  try {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
  } catch {
    return false;
  }
}

/**
 * The platform's timestamps are whole seconds (§3): `updatedSince` at the second `since` falls in, so
 * a booking changed earlier in that same second (stamped with the second itself) is not missed. Pure.
 */
export function updatedSinceFilter(since: Date): { updatedSince: string } {
  return { updatedSince: new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z') };
}

/** `value` parsed with `schema`, or a `ProviderResponseError` naming the first problem (STYLE: parse at the boundary). */
function parsePushed<S extends z.ZodType>(value: unknown, schema: S, detail: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ProviderResponseError(P.key, 'parseWebhook', `${detail}${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/**
 * The booking events of one push (§4): `booking.created` and `booking.cancelled` with `data` mapped by
 * the same `toBooking` as the bookings list, so the ref is the one `listBookings` gives; every other
 * event is none. `eventId` is the payload's `id` (the platform's retries repeat it), `occurredAt` its
 * `timestamp`. Throws `ProviderResponseError` when the body is not a push of the platform.
 */
export function pushedEvents(rawBody: Buffer, companyId: string): PlatformEvent[] {
  const json = pushedJson(P.key, rawBody);
  const push = parsePushed(json, webhookPushSchema, '');
  const type: BookingEventType | undefined = (P.webhooks.pushedEvents as Record<string, BookingEventType>)[push.event];
  if (!type) return [];
  const booking = toBooking(parsePushed(push.data, bookingSchema, 'data.'), companyId);
  const at = push.timestamp ? new Date(push.timestamp) : null;
  return [{ eventId: push.id, type, booking, occurredAt: at && Number.isFinite(at.getTime()) ? at : null }];
}

/**
 * What the gateway can do about yAppointment booking events for one connection (one company).
 * `changedBookings` is one bookings listing with `filter.updatedSince`, 100 a page: one call per 100
 * bookings changed (at least one).
 */
export function yappointmentWebhooks(ctx: Ctx, client: YAppointmentClient): WebhookCapabilities {
  const companyId = ctx.settings.companyId;
  return {
    ...declaredWebhooks(P.webhooks),

    verify(req: PushedRequest, secret: string): boolean {
      return signatureValid(req.rawBody, req.headers[P.webhooks.signatureHeader], secret);
    },

    async parse(req: PushedRequest): Promise<PlatformEvent[]> {
      return pushedEvents(req.rawBody, companyId);
    },

    async changedBookings(since: Date) {
      const records = await client.all('changedBookings', '/bookings', updatedSinceFilter(since), bookingSchema);
      return records.map((b) => toBooking(b, companyId));
    },
  };
}
