import { GraphQLError } from 'graphql';

/**
 * Every error code a client can see in `extensions.code`. Stable: clients branch on them.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'BAD_USER_INPUT'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'GRAPHQL_PARSE_FAILED'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'NEEDS_REAUTH'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_ERROR'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL_SERVER_ERROR';

/** A client-facing error with a stable code; becomes a GraphQLError with `extensions.code`. */
export class GatewayError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}
