import { describeTokenAnswer, oauthError, type TokenAnswer } from '../tokens/token-answer.js';
import { ProviderError } from './errors.js';
import type { HttpClient, HttpResponse } from './http.js';

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

/** How a connection's token requests carry their parameters: JSON, or a form body (RFC 6749 §4.1.3). */
export type TokenBodyEncoding = 'json' | 'form';

/**
 * The encoding a token set records for its connection (`meta.tokenBody`), JSON unless a refusal of
 * JSON made the connector switch to a form body (see `postTokenRequest`).
 */
export function tokenBodyOf(set: { meta?: Record<string, unknown> } | null | undefined): TokenBodyEncoding {
  return set?.meta?.tokenBody === 'form' ? 'form' : 'json';
}

/**
 * Whether a token endpoint refused the request's JSON body (pure): HTTP 400 with `invalid_request`
 * (RFC 6749 §5.2). A standards server that takes only `application/x-www-form-urlencoded` (§4.1.3,
 * §6) answers that way; the same request as a form is then worth one more try.
 */
export function refusesJsonBody(res: { status: number; text: string }): boolean {
  return res.status === 400 && oauthError(res.text).error === 'invalid_request';
}

/**
 * POSTs a token request as `encoding`; when a JSON body is refused (`refusesJsonBody`), sends the same
 * parameters once more as a form body. Answers the response and the encoding that produced it, which
 * the connector records in the token set (`meta.tokenBody`) so the connection's later requests start
 * with the form. A refused request consumed nothing at the platform (no code, no refresh token), so
 * the second request is safe even for rotating refresh tokens.
 */
export async function postTokenRequest(
  http: HttpClient,
  req: { operation: string; url: string; params: Record<string, string>; headers?: Record<string, string>; idempotent?: boolean },
  encoding: TokenBodyEncoding = 'json',
): Promise<{ res: HttpResponse; encoding: TokenBodyEncoding }> {
  const send = (as: TokenBodyEncoding) =>
    http.send({
      operation: req.operation,
      method: 'POST',
      url: req.url,
      ...(as === 'json' ? { json: req.params } : { body: new URLSearchParams(req.params) }),
      headers: req.headers,
      idempotent: req.idempotent,
    });
  const res = await send(encoding);
  if (encoding === 'json' && refusesJsonBody(res)) return { res: await send('form'), encoding: 'form' };
  return { res, encoding };
}
