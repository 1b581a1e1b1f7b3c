import type { Provider } from './provider.js';

/**
 * Every error a platform call can end in, classified in one place. The `code` is what clients see
 * as `extensions.code`; messages never contain secrets.
 */
export type ProviderErrorCode =
  /** Network failure, timeout, 5xx, or rate limited beyond what a retry can absorb. */
  | 'PROVIDER_UNAVAILABLE'
  /** The platform answered something the gateway cannot use (unexpected status, malformed payload). */
  | 'PROVIDER_ERROR'
  /** The grant is gone (refresh token rejected, app removed): a person must connect again. */
  | 'NEEDS_REAUTH'
  /** The grant lacks a permission (scope, organization) for this operation. */
  | 'FORBIDDEN'
  /** The platform rejected the input of a write (slot taken, validation). */
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND';

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly provider: Provider;
  readonly operation: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(
    provider: Provider,
    operation: string,
    code: ProviderErrorCode,
    message: string,
    opts: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.operation = operation;
    this.code = code;
    this.status = opts.status;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** A platform payload that did not match its schema (STYLE: parse at the boundary). */
export class ProviderResponseError extends ProviderError {
  constructor(provider: Provider, operation: string, detail: string) {
    super(provider, operation, 'PROVIDER_ERROR', `${provider} returned an unexpected ${operation} payload: ${detail}`);
    this.name = 'ProviderResponseError';
  }
}

/**
 * The platform refused the access token (HTTP 401). Internal: the token manager refreshes once and
 * retries; it never reaches a client as such.
 */
export class AccessTokenRejectedError extends Error {
  constructor(
    readonly provider: Provider,
    readonly operation: string,
  ) {
    super(`${provider} rejected the access token during ${operation}`);
    this.name = 'AccessTokenRejectedError';
  }
}

/**
 * The platform refused the grant itself (`invalid_grant`, `invalid_client` on a refresh, revoked app).
 * The connection moves to NEEDS_REAUTH with `reason` as its statusReason.
 */
export class GrantRevokedError extends Error {
  constructor(
    readonly provider: Provider,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'GrantRevokedError';
  }
}

/** Turns any thrown value into a ProviderError (unknown errors become PROVIDER_ERROR). */
export function asProviderError(err: unknown, provider: Provider, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof GrantRevokedError) {
    return new ProviderError(provider, operation, 'NEEDS_REAUTH', `${provider} needs to be connected again: ${err.reason}`);
  }
  if (err instanceof AccessTokenRejectedError) {
    return new ProviderError(provider, operation, 'PROVIDER_ERROR', `${provider} rejected a freshly issued access token`);
  }
  return new ProviderError(provider, operation, 'PROVIDER_ERROR', `${provider} ${operation} failed unexpectedly`, { cause: err });
}
