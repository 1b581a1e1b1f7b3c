import { describeTokenAnswer, type TokenAnswer } from '../tokens/token-answer.js';
import { ProviderError } from './errors.js';

/**
 * What every OAuth-speaking connector shares: the ProviderError of a token-endpoint answer that is
 * neither a token nor a refusal the connector turned into something of its own (a dead grant, bad
 * input while connecting, a configuration error). `transient` answers (5xx, 429) are
 * PROVIDER_UNAVAILABLE; everything else PROVIDER_ERROR. See `classifyTokenAnswer`.
 */
export function tokenEndpointError(provider: string, displayName: string, operation: string, answer: TokenAnswer, endpoint = 'token endpoint'): ProviderError {
  return new ProviderError(
    provider,
    operation,
    answer.kind === 'transient' ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_ERROR',
    `${displayName} ${endpoint} answered HTTP ${answer.status}${answer.kind !== 'issued' && answer.error ? ` (${describeTokenAnswer(answer)})` : ''}`,
    { status: answer.status },
  );
}
