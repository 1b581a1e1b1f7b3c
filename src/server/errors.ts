import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode } from '../errors/codes.js';
import { LockTimeoutError, StoreUnavailableError } from '../store/errors.js';

/** Extensions a client may see; everything else (stack traces, exceptions, internals) is dropped. */
const SAFE_EXTENSIONS = ['code', 'provider', 'connectionId', 'retryAfterSeconds'];

/**
 * Apollo `formatError`: keeps known codes and their messages, answers STORE_UNAVAILABLE for the store
 * being down or a lock wait timing out (`StoreUnavailableError`, `LockTimeoutError`), replaces anything
 * else unexpected with a generic INTERNAL_SERVER_ERROR (logged with its detail server-side), never
 * sends a stack trace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: (err: unknown) => void): GraphQLFormattedError {
  const store = storeFailure(error);
  if (store) return { message: store, locations: formatted.locations, path: formatted.path, extensions: { code: 'STORE_UNAVAILABLE' } };
  const code = formatted.extensions?.code;
  if (!isErrorCode(code) || code === 'INTERNAL_SERVER_ERROR') {
    log?.(error);
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of SAFE_EXTENSIONS) if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
}

/** The client's message when `error` (or an error it wraps) is the store being down or a lock wait timing out. */
export function storeFailure(error: unknown): string | undefined {
  let e = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof StoreUnavailableError) return e.message;
    if (e instanceof LockTimeoutError) return 'A record this operation needs is locked by another request or instance; try again shortly.';
    e = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}
