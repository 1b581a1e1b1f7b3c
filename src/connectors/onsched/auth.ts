import { decodeJwt } from 'jose';
import { z } from 'zod';
import { GrantRevokedError } from '../../tokens/errors.js';
import { classifyTokenAnswer } from '../../tokens/token-answer.js';
import type { TokenSet, TokenStrategy } from '../../tokens/token-manager.js';
import { ProviderResponseError } from '../errors.js';
import { type HttpClient, parseBody } from '../http.js';
import { tokenEndpointError } from '../oauth.js';
import { onschedProvider as P } from './provider.js';
import { tokenAnswerSchema } from './schemas.js';

/** What a tenant gives `connectProvider` for OnSched (contract §2.1, §6). */
export const onschedCredentialsSchema = z.object({
  /** The account's refresh token from the OnSched V3 dashboard (it rotates: the newest one is stored with the tokens). */
  refreshToken: z.string().trim().min(1, 'refreshToken is required'),
  /** One company API key per company to connect; duplicates are dropped. */
  companyApiKeys: z
    .array(z.string().trim().min(1, 'a company API key must not be empty'))
    .min(1, 'at least one company API key is required')
    .max(50)
    .transform((keys) => [...new Set(keys)]),
  /** Public client ids (`x-client-id`); kept, not needed for the Bearer calls the gateway makes. */
  publicClientIds: z.array(z.string().trim().min(1)).max(50).optional(),
  /** ISO 4217 currency of the companies' fees: the API carries none, so prices appear only with it. */
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, 'currency must be an ISO 4217 code such as USD')
    .transform((c) => c.toUpperCase())
    .optional(),
});
export type OnSchedCredentials = z.infer<typeof onschedCredentialsSchema>;

/**
 * When a JWT stops working, in ms on the gateway's clock (pure). Reads `exp` (and `iat`) with
 * `decodeJwt` — decoding only: the gateway is not the token's audience and cannot verify it (§2.2).
 * With `iat` present, the lifetime is also counted from `requestedAtMs` and the earlier of the two
 * wins, so a platform clock ahead of ours never makes the token look longer-lived than it is.
 * Throws `ProviderResponseError` when the token is not a JWT with a numeric `exp`.
 */
export function jwtExpiresAt(accessToken: string, requestedAtMs: number): number {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(accessToken);
  } catch {
    throw new ProviderResponseError(P.key, 'token', 'access_token is not a JWT');
  }
  if (typeof claims.exp !== 'number') throw new ProviderResponseError(P.key, 'token', 'the access token has no exp claim');
  const byExp = claims.exp * 1000;
  return typeof claims.iat === 'number' && claims.exp > claims.iat ? Math.min(byExp, requestedAtMs + (claims.exp - claims.iat) * 1000) : byExp;
}

/** `: <error_description>` for a refusal's message, or nothing. */
const detailOf = (description: string | null) => (description ? `: ${description}` : '');

/**
 * Refresh-token grant (contract §2.2): `POST /v3/auth/token`, form-encoded, `x-api-key` = any company
 * key of the account (`tokenKey`). Each answer carries a NEW refresh token (the presented one is used
 * up), so the strategy always presents the newest stored one (`current?.refreshToken`, else the one
 * from the credentials) and returns the successor in the set — the token manager stores the set
 * before anyone uses the new access token. No `expires_in`: the expiry comes from the JWT.
 *
 * Throws `GrantRevokedError` on `invalid_grant` (refresh token unknown, revoked or reused, or the key
 * outside its account) and on `invalid_client`/401 (the key is unknown): a person must act. Any other
 * answer is a ProviderError (`tokenEndpointError`: PROVIDER_UNAVAILABLE for 5xx/429). The token
 * manager remembers a refusal, so the dead refresh token is never presented again.
 */
export function refreshTokenStrategy(http: HttpClient, authUrl: string, creds: OnSchedCredentials, tokenKey: string): TokenStrategy {
  return { kind: 'access', marginSeconds: P.expiryMarginSeconds, obtain: (current, now) => exchange(current?.refreshToken ?? creds.refreshToken, now) };

  async function exchange(refreshToken: string, now: () => number): Promise<TokenSet> {
    const requestedAt = now();
    const res = await http.send({
      operation: 'token',
      method: 'POST',
      url: `${authUrl}${P.tokenPath}`,
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
      headers: { [P.companyKeyHeader]: tokenKey },
    });
    const answer = classifyTokenAnswer(res);
    switch (answer.kind) {
      case 'issued':
        break;
      case 'grant-refused':
        throw new GrantRevokedError(
          P.key,
          `OnSched rejected the refresh token (invalid_grant${detailOf(answer.description)}). It was revoked or already used, or the first company API key is not of its account: paste a new refresh token from the OnSched dashboard`,
        );
      case 'client-refused':
        throw new GrantRevokedError(
          P.key,
          `OnSched rejected the first company API key at the token endpoint (${answer.error ?? 'HTTP 401'}${detailOf(answer.description)})`,
        );
      default:
        throw tokenEndpointError(P.key, P.displayName, 'token', answer);
    }
    const t = parseBody(res, tokenAnswerSchema, P.key, 'token');
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt: jwtExpiresAt(t.access_token, requestedAt),
      refreshExpiresAt: null,
      obtainedAt: requestedAt,
    };
  }
}
