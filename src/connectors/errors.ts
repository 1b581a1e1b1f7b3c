import type { ProviderErrorCode } from '../errors/codes.js';
import { AccessTokenRejectedError, GrantRevokedError, TokenRenewalPausedError } from '../tokens/errors.js';

/**
 * Every failure of a platform call, classified: `code` is what clients see as `extensions.code`
 * (`ProviderErrorCode`); `provider` is the platform's key. Messages never contain secrets.
 */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly provider: string;
  readonly operation: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(
    provider: string,
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
  constructor(provider: string, operation: string, detail: string) {
    super(provider, operation, 'PROVIDER_ERROR', `${provider} returned an unexpected ${operation} payload: ${detail}`);
    this.name = 'ProviderResponseError';
  }
}

/** Turns any thrown value into a ProviderError (unknown errors become PROVIDER_ERROR). */
export function asProviderError(err: unknown, provider: string, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof GrantRevokedError) {
    return new ProviderError(provider, operation, 'NEEDS_REAUTH', `${provider} needs to be connected again: ${err.reason}`);
  }
  if (err instanceof TokenRenewalPausedError) {
    return new ProviderError(provider, operation, 'PROVIDER_UNAVAILABLE', err.message, { retryAfterSeconds: err.retryAfterSeconds });
  }
  if (err instanceof AccessTokenRejectedError) {
    return new ProviderError(provider, operation, 'PROVIDER_ERROR', `${provider} rejected a freshly issued access token`);
  }
  return new ProviderError(provider, operation, 'PROVIDER_ERROR', `${provider} ${operation} failed unexpectedly`, { cause: err });
}
