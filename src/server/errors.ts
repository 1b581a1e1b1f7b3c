import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode } from '../errors/codes.js';

/** Extensions a client may see; everything else (stack traces, exceptions, internals) is dropped. */
const SAFE_EXTENSIONS = ['code', 'provider', 'connectionId', 'retryAfterSeconds'];

/**
 * Apollo `formatError`: keeps known codes and their messages, replaces anything unexpected with a
 * generic INTERNAL_SERVER_ERROR (logged with its detail server-side), never sends a stack trace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: (err: unknown) => void): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (!isErrorCode(code) || code === 'INTERNAL_SERVER_ERROR') {
    log?.(error);
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of SAFE_EXTENSIONS) if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
}
