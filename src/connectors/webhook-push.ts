import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { BookingEventType } from './enums.js';
import { ProviderResponseError } from './errors.js';
import type { WebhookCapabilities } from './types.js';

/**
 * What every connector's `verify` and `parse` share: comparing a pushed secret with the expected one
 * in constant time, and reading a pushed body as JSON.
 */

/**
 * Whether `given` (one header or parameter value) is `secret`, in time that depends on neither: both
 * are hashed first, so even their lengths stay hidden. False for a missing or repeated value and for
 * an empty secret. Never throws.
 */
export function sameSecret(given: string | string[] | null | undefined, secret: string): boolean {
  if (typeof given !== 'string' || secret.length === 0) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** A pushed body as JSON; `ProviderResponseError` of `provider` when it is not JSON. */
export function pushedJson(provider: string, rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ProviderResponseError(provider, 'parseWebhook', 'the body is not JSON');
  }
}

/**
 * A pushed body as JSON checked against `schema`; `ProviderResponseError` of `provider` naming the
 * first mismatch when it is not the platform's payload.
 */
export function pushedPayload<S extends z.ZodType>(provider: string, rawBody: Buffer, schema: S): z.infer<S> {
  const payload = schema.safeParse(pushedJson(provider, rawBody));
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new ProviderResponseError(provider, 'parseWebhook', `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  return payload.data;
}

/** What a platform declares about its webhooks (its `provider.ts`), as the start of its `WebhookCapabilities`. */
export function declaredWebhooks(w: Pick<WebhookCapabilities, 'mode' | 'push' | 'timedEvents'> & { events: readonly BookingEventType[] }) {
  return { mode: w.mode, events: [...w.events], push: w.push, timedEvents: w.timedEvents };
}
