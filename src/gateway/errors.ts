import { GraphQLError } from 'graphql';
import type { ConnectionRecord } from '../connections/connections.js';
import { asProviderError, ProviderError } from '../connectors/errors.js';
import { displayName, type Provider } from '../connectors/platforms.js';
import type { ErrorCode } from '../errors/codes.js';

export type { ErrorCode };

/** A client-facing error with a stable code; becomes a GraphQLError with `extensions.code`. */
export class GatewayError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

/**
 * The one way a platform failure becomes a client error: classified (`asProviderError`), with the
 * provider and, for rate limits, `retryAfterSeconds` in its extensions.
 */
export function toClientError(err: unknown, provider: Provider, operation: string): GatewayError {
  const e = asProviderError(err, provider, operation);
  return new GatewayError(e.code, e.message, { provider, ...(e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}) });
}

/** What a connection in NEEDS_REAUTH answers instead of calling its platform. */
export function needsReauth(record: ConnectionRecord, operation = 'read'): ProviderError {
  return new ProviderError(
    record.provider,
    operation,
    'NEEDS_REAUTH',
    `${displayName(record.provider)} needs to be connected again: ${record.statusReason ?? 'the platform refused the grant'}`,
  );
}
