/**
 * Every `extensions.code` a client can see, with what it means. Stable: clients branch on them, and
 * the README's error table is this list. Anything else a resolver throws reaches the client as
 * INTERNAL_SERVER_ERROR (see `src/server/errors.ts`).
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'No API key, or one the gateway does not know.',
  BAD_USER_INPUT: 'An argument is invalid (malformed, out of range, not an ID you can use); the message names it.',
  GRAPHQL_PARSE_FAILED: 'The document is not GraphQL.',
  GRAPHQL_VALIDATION_FAILED: 'The document does not fit the schema.',
  BAD_REQUEST: 'The HTTP request is not a GraphQL request.',
  OPERATION_RESOLUTION_FAILURE: 'The document has several operations and none was named.',
  PERSISTED_QUERY_NOT_FOUND: 'An automatic persisted query hash is unknown: send the query text.',
  PERSISTED_QUERY_NOT_SUPPORTED: 'Persisted queries are switched off.',
  NOT_FOUND: 'The record is gone (e.g. the booking an idempotency key created).',
  FORBIDDEN: 'The platform grant lacks a permission (scope, organization) for this operation.',
  NEEDS_REAUTH: 'The platform refused the grant: a person must connect that platform again.',
  PROVIDER_UNAVAILABLE: 'A platform could not be reached, timed out, failed (5xx) or rate-limited; see retryAfterSeconds.',
  PROVIDER_ERROR: 'A platform answered something the gateway cannot use (unexpected status, malformed payload).',
  STORE_UNAVAILABLE:
    "The gateway's store (Redis, PostgreSQL) cannot be reached, or a record the operation needs stayed locked by another request or instance too long; retry shortly.",
  OVERLOADED: 'The gateway is at its limit of requests in flight (HTTP 503): retry after the Retry-After header.',
  QUERY_TOO_COMPLEX:
    'The operation is over one of the operation limits (depth, aliases, directives, tokens, fields, cost), refused before it runs (HTTP 400); extensions.limit names the limit ({ name, max, actual }).',
  RESPONSE_TOO_LARGE:
    'The answer would be larger than RESPONSE_MAX_BYTES and was not sent; extensions.limit gives the bound. Ask for fewer fields or smaller pages.',
  NOT_IMPLEMENTED: 'The operation is part of the contract but not available in this version.',
  INTERNAL_SERVER_ERROR: 'A fault in the gateway itself (logged server-side, never detailed to the client).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes a platform call can end in (a `ProviderError`). */
export type ProviderErrorCode = Extract<ErrorCode, 'PROVIDER_UNAVAILABLE' | 'PROVIDER_ERROR' | 'NEEDS_REAUTH' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND'>;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
