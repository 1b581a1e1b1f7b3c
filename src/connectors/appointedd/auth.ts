import { z } from 'zod';
import { classifyTokenAnswer } from '../../tokens/token-answer.js';
import { GrantRevokedError } from '../../tokens/errors.js';
import type { TokenSet, TokenStrategy } from '../../tokens/token-manager.js';
import { type HttpClient, parseBody } from '../http.js';
import { tokenEndpointError } from '../oauth.js';
import { appointeddProvider as P } from './provider.js';
import { tokenAnswerSchema } from './schemas.js';

/** What a tenant gives `connectProvider` for Appointedd (contract §2). */
export const appointeddCredentialsSchema = z.object({
  clientId: z.string().min(1, 'clientId is required'),
  clientSecret: z.string().min(1, 'clientSecret is required'),
  /** How the client authenticates at the token endpoint: HTTP Basic (default) or in the body. */
  clientAuth: z.enum(['basic', 'body']).default('basic'),
  /** Access-token lifetime to ask for, seconds (300 … 315 360 000). */
  tokenLifetimeSeconds: z.number().int().min(300).max(315_360_000).default(P.defaultTokenLifetimeSeconds),
});
export type AppointeddCredentials = z.infer<typeof appointeddCredentialsSchema>;

/**
 * The `Authorization` header of Basic client authentication exactly as Appointedd documents it
 * (docs/platforms/appointedd.md §2: "the client ID as the username and the client secret as the
 * password"): `Basic base64(client_id:client_secret)` of the UTF-8 bytes, nothing percent-encoded
 * (the RFC 6749 §2.3.1 form-encoding is not what the platform shows, and would change a secret with
 * `+`, `/`, `=` or `%`). Pure.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
}

/**
 * Client credentials (contract §2): POST JSON to the token endpoint with the chosen client
 * authentication and `expires_in`. There is no refresh token: a new access token is requested near
 * expiry or after a 401. Times are stamped with the token manager's clock (`now`).
 *
 * Throws `GrantRevokedError` when the client is refused (`invalid_client`, `unauthorized_client`,
 * HTTP 401): the client was deleted, so the grant is gone. Any other refusal is PROVIDER_ERROR,
 * 429/5xx PROVIDER_UNAVAILABLE (see `classifyTokenAnswer`).
 */
export function clientCredentialsStrategy(http: HttpClient, authUrl: string, creds: AppointeddCredentials): TokenStrategy {
  return {
    marginSeconds: P.expiryMarginSeconds,
    async obtain(_current: TokenSet | null, now: () => number): Promise<TokenSet> {
      const body: Record<string, unknown> = { grant_type: 'client_credentials', expires_in: creds.tokenLifetimeSeconds };
      const headers: Record<string, string> = {};
      if (creds.clientAuth === 'basic') {
        headers.authorization = basicAuthorization(creds.clientId, creds.clientSecret);
      } else {
        body.client_id = creds.clientId;
        body.client_secret = creds.clientSecret;
      }
      const requestedAt = now();
      const res = await http.send({ operation: 'token', method: 'POST', url: `${authUrl}${P.tokenPath}`, json: body, headers });
      const answer = classifyTokenAnswer(res);
      if (answer.kind === 'client-refused') {
        throw new GrantRevokedError(P.key, 'Appointedd rejected the client id or secret (invalid_client)');
      }
      if (answer.kind !== 'issued') throw tokenEndpointError(P.key, P.displayName, 'token', answer);
      const t = parseBody(res, tokenAnswerSchema, P.key, 'token');
      return { accessToken: t.access_token, expiresAt: requestedAt + t.expires_in * 1000, obtainedAt: requestedAt };
    },
  };
}
