import { createHash, timingSafeEqual } from 'node:crypto';
import { ProviderResponseError } from './errors.js';

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
