import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import { requestOutcome } from './metrics.js';
import type { RequestTelemetry } from './request-telemetry.js';

/**
 * One `info` line per GraphQL operation answered over HTTP, when the answer is sent:
 * `{ operation, operationType, durationMs, platforms, errorCodes, tenantId, outcome }` with the message
 * `graphql request`. Never the query text, its variables, headers or anything secret: only names the
 * schema and the connectors define, and the tenant's id.
 */
export function requestLogPlugin<TContext extends { telemetry: RequestTelemetry }>(log: Logger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ contextValue, operation, operationName, response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const errorCodes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          log.info(
            {
              operation: operation ? (operationName ?? 'anonymous') : null,
              operationType: operation?.operation ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              platforms: [...contextValue.telemetry.platforms].sort(),
              errorCodes,
              tenantId: contextValue.telemetry.tenantId,
              outcome: response.body.kind === 'single' ? requestOutcome(response.body.singleResult) : 'success',
            },
            'graphql request',
          );
        },
      };
    },
  };
}
