import type { GraphQLFormattedError } from 'graphql';

const KNOWN_CODES = new Set([
  'UNAUTHENTICATED',
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'NOT_FOUND',
  'FORBIDDEN',
  'NEEDS_REAUTH',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_ERROR',
  'NOT_IMPLEMENTED',
]);

/** Extensions a client may see; everything else (stack traces, exceptions, internals) is dropped. */
const SAFE_EXTENSIONS = ['code', 'provider', 'connectionId', 'retryAfterSeconds'];

/**
 * Apollo `formatError`: keeps known codes and their messages, replaces anything unexpected with a
 * generic INTERNAL_SERVER_ERROR (logged with its detail server-side), never sends a stack trace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: (err: unknown) => void): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (!KNOWN_CODES.has(code)) {
    log?.(error);
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of SAFE_EXTENSIONS) if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
}
