import { z } from 'zod';
import { oauthError } from '../../tokens/token-answer.js';
import { ProviderError } from '../errors.js';
import { GrantRevokedError } from '../../tokens/errors.js';
import { type HttpClient, parseBody } from '../http.js';
import type { TokenSet, TokenStrategy } from '../../tokens/token-manager.js';
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
 * Client credentials (contract §2): POST JSON to the token endpoint with the chosen client
 * authentication and `expires_in`. There is no refresh token: a new access token is requested near
 * expiry or after a 401. `invalid_client` means the client was deleted: the grant is gone.
 */
export function clientCredentialsStrategy(http: HttpClient, authUrl: string, creds: AppointeddCredentials): TokenStrategy {
  return {
    marginSeconds: P.expiryMarginSeconds,
    async obtain(): Promise<TokenSet> {
      const body: Record<string, unknown> = { grant_type: 'client_credentials', expires_in: creds.tokenLifetimeSeconds };
      const headers: Record<string, string> = {};
      if (creds.clientAuth === 'basic') {
        const basic = Buffer.from(`${encodeURIComponent(creds.clientId)}:${encodeURIComponent(creds.clientSecret)}`).toString('base64');
        headers.authorization = `Basic ${basic}`;
      } else {
        body.client_id = creds.clientId;
        body.client_secret = creds.clientSecret;
      }
      const requestedAt = Date.now();
      const res = await http.send({ operation: 'token', method: 'POST', url: `${authUrl}${P.tokenPath}`, json: body, headers });
      if (res.status === 400 || res.status === 401) {
        const { error } = oauthError(res.text);
        if (error === 'invalid_client' || error === 'unauthorized_client' || res.status === 401) {
          throw new GrantRevokedError(P.key, 'Appointedd rejected the client id or secret (invalid_client)');
        }
        throw new ProviderError(P.key, 'token', 'PROVIDER_ERROR', `Appointedd refused the token request (${error ?? res.status})`);
      }
      if (res.status !== 200) {
        throw new ProviderError(P.key, 'token', res.status >= 500 || res.status === 429 ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_ERROR', `Appointedd token endpoint answered HTTP ${res.status}`, { status: res.status });
      }
      const t = parseBody(res, tokenAnswerSchema, P.key, 'token');
      return { accessToken: t.access_token, expiresAt: requestedAt + t.expires_in * 1000, obtainedAt: requestedAt };
    },
  };
}
