import { z } from 'zod';
import { classifyTokenAnswer, describeTokenAnswer, type TokenAnswer } from '../../tokens/token-answer.js';
import { ProviderError } from '../errors.js';
import { GrantRevokedError } from '../../tokens/errors.js';
import { type HttpClient, type HttpResponse, parseBody } from '../http.js';
import { postTokenRequest, tokenBodyOf, type TokenBodyEncoding, tokenEndpointError } from '../oauth.js';
import type { TokenSet, TokenStrategy } from '../../tokens/token-manager.js';
import { yappointmentProvider as P } from './provider.js';
import { tokenAnswerSchema } from './schemas.js';

/**
 * yAppointment is connected through its consent screen (contract §2.1): a tenant gives no
 * credentials, so `connectProvider` input is `{}`; the app's client id and secret come from
 * configuration (`ctx.app`).
 */
export const yappointmentCredentialsSchema = z.object({});
export type YAppointmentCredentials = z.infer<typeof yappointmentCredentialsSchema>;

/** The app's client credentials (body client authentication, §2.2). */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** Refresh tokens live 90 days from issue (§2.2, documented). */
const REFRESH_LIFETIME_MS = 90 * 86_400_000;

/** `ctx.app` checked: both halves present, or a configuration error naming the variables. */
export function appCredentials(app: { clientId?: string; clientSecret?: string }): AppCredentials {
  if (!app.clientId || !app.clientSecret) {
    throw new ProviderError(
      P.key,
      'token',
      'PROVIDER_ERROR',
      'yAppointment app credentials are not configured: set YAPPOINTMENT_CLIENT_ID and YAPPOINTMENT_CLIENT_SECRET',
    );
  }
  return { clientId: app.clientId, clientSecret: app.clientSecret };
}

/**
 * The scopes a connection asks for (§2.4, pure): the read scopes, plus the write scopes when it asks
 * to write (`startConnection(write: true)`).
 */
export function scopesFor(write = false): string[] {
  return write ? [...P.scopes, ...P.writeScopes] : [...P.scopes];
}

/** The write scope a set's grant lacks (`meta.scopes` records what was asked for), or null; a set without the record may write. */
export function missingWriteScope(set: TokenSet | null): string | null {
  const scopes = set?.meta?.scopes;
  if (!Array.isArray(scopes)) return null;
  return P.writeScopes.find((s) => !scopes.includes(s)) ?? null;
}

/**
 * The consent URL (§2.1, RFC 7636 §4.3): client id, redirect URI, `response_type=code`, the scopes of
 * `scopesFor(write)`, `state`, and the S256 challenge of the gateway's verifier.
 */
export function buildAuthorizeUrl(
  authUrl: string,
  clientId: string,
  params: { state: string; redirectUri: string; codeChallenge?: string; write?: boolean },
): string {
  if (!params.codeChallenge) {
    throw new ProviderError(P.key, 'authorize', 'PROVIDER_ERROR', 'yAppointment requires PKCE: no code challenge was given');
  }
  const url = new URL(`${authUrl}${P.authorizePath}`);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopesFor(params.write).join(' '));
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/**
 * A token answer as a TokenSet (pure). The platform does not echo the granted scopes, so `meta.scopes`
 * records the requested ones; a connection whose token endpoint took only a form body records it
 * (`meta.tokenBody: 'form'`). Times are on the gateway clock, counted from when the request was sent.
 */
export function tokenSetFrom(
  answer: z.infer<typeof tokenAnswerSchema>,
  requestedAt: number,
  scopes: readonly string[],
  encoding: TokenBodyEncoding = 'json',
): TokenSet {
  return {
    accessToken: answer.access_token,
    expiresAt: requestedAt + answer.expires_in * 1000,
    refreshToken: answer.refresh_token,
    refreshExpiresAt: requestedAt + REFRESH_LIFETIME_MS,
    obtainedAt: requestedAt,
    meta: { scopes: [...scopes], ...(encoding === 'form' ? { tokenBody: 'form' } : {}) },
  };
}

/**
 * POSTs JSON with client authentication in the body (§2.2, §2.3), or the form body `encoding` names;
 * a JSON body refused with `invalid_request` goes once more as a form (`postTokenRequest`). Token
 * requests are never retried on failure (see `refreshStrategy`); revocation is idempotent (RFC 7009)
 * and may be.
 */
function postOAuth(
  http: HttpClient,
  url: string,
  operation: string,
  app: AppCredentials,
  body: Record<string, string>,
  encoding: TokenBodyEncoding,
  idempotent = false,
): Promise<{ res: HttpResponse; encoding: TokenBodyEncoding }> {
  return postTokenRequest(http, { operation, url, params: { ...body, client_id: app.clientId, client_secret: app.clientSecret }, idempotent }, encoding);
}

/**
 * Failures of the token and revocation endpoints other than a refused grant: the app's client id or
 * secret refused (`invalid_client`, HTTP 401: a configuration error, PROVIDER_ERROR naming the
 * variables), the platform down (429/5xx: PROVIDER_UNAVAILABLE), anything else PROVIDER_ERROR.
 */
function tokenEndpointFailure(answer: TokenAnswer, operation: string): ProviderError {
  if (answer.kind === 'client-refused') {
    return new ProviderError(
      P.key,
      operation,
      'PROVIDER_ERROR',
      `yAppointment refused the app credentials (${describeTokenAnswer(answer)}): check YAPPOINTMENT_CLIENT_ID and YAPPOINTMENT_CLIENT_SECRET`,
      { status: answer.status },
    );
  }
  return tokenEndpointError(P.key, P.displayName, operation, answer, operation === 'revoke' ? 'revocation endpoint' : 'token endpoint');
}

/**
 * Authorization-code exchange (§2.2, RFC 7636 §4.5): JSON with `code`, `redirect_uri` and
 * `code_verifier`; times stamped with `now` (the token manager's clock, `ctx.tokens.now`). Throws
 * BAD_USER_INPUT when the platform refuses the code, redirect URI or verifier (`invalid_grant`),
 * PROVIDER_ERROR/UNAVAILABLE otherwise.
 */
export async function exchangeAuthorizationCode(
  http: HttpClient,
  apiUrl: string,
  app: AppCredentials,
  params: { code: string; redirectUri: string; codeVerifier?: string; write?: boolean },
  now: () => number,
): Promise<TokenSet> {
  const requestedAt = now();
  const body: Record<string, string> = { grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri };
  if (params.codeVerifier) body.code_verifier = params.codeVerifier;
  const { res, encoding } = await postOAuth(http, `${apiUrl}${P.tokenPath}`, 'exchangeCode', app, body, 'json');
  const answer = classifyTokenAnswer(res);
  if (answer.kind === 'grant-refused') {
    throw new ProviderError(
      P.key,
      'exchangeCode',
      'BAD_USER_INPUT',
      `yAppointment refused the authorization code or its PKCE verifier (${describeTokenAnswer(answer)})`,
      { status: answer.status },
    );
  }
  if (answer.kind !== 'issued') throw tokenEndpointFailure(answer, 'exchangeCode');
  return tokenSetFrom(parseBody(res, tokenAnswerSchema, P.key, 'exchangeCode'), requestedAt, scopesFor(params.write), encoding);
}

/**
 * Refresh with strict rotation (§2.2): presents `current.refreshToken` and returns the whole new set,
 * new refresh token included; the token manager stores it before anyone uses the new access token,
 * so the rotated-out token is never presented again (that would revoke the grant). `invalid_grant`
 * (revoked, expired, reused or unknown) throws `GrantRevokedError`; the manager re-reads the store
 * once, then marks the connection NEEDS_REAUTH. Times are stamped with the manager's clock (`now`).
 *
 * The request is never retried by the HTTP client: a retry after a lost answer would present a token
 * the platform may already have rotated, which its reuse detection punishes by revoking the grant.
 */
export function refreshStrategy(http: HttpClient, apiUrl: string, app: { clientId?: string; clientSecret?: string }): TokenStrategy {
  return {
    marginSeconds: P.expiryMarginSeconds,
    async obtain(current: TokenSet | null, now: () => number): Promise<TokenSet> {
      if (!current?.refreshToken) {
        throw new GrantRevokedError(P.key, 'no yAppointment refresh token is stored: connect again');
      }
      const requestedAt = now();
      const { res, encoding } = await postOAuth(
        http,
        `${apiUrl}${P.tokenPath}`,
        'refreshToken',
        appCredentials(app),
        { grant_type: 'refresh_token', refresh_token: current.refreshToken },
        tokenBodyOf(current),
      );
      const answer = classifyTokenAnswer(res);
      if (answer.kind === 'grant-refused') {
        throw new GrantRevokedError(P.key, `yAppointment refused the refresh token (${describeTokenAnswer(answer)})`);
      }
      if (answer.kind !== 'issued') throw tokenEndpointFailure(answer, 'refreshToken');
      const scopes = Array.isArray(current.meta?.scopes) ? (current.meta.scopes as string[]) : P.scopes;
      return tokenSetFrom(parseBody(res, tokenAnswerSchema, P.key, 'refreshToken'), requestedAt, scopes, encoding);
    },
  };
}

/**
 * RFC 7009 revocation (§2.3): revoking the refresh token (or, without one, the access token) revokes
 * the whole grant. 200 also for tokens the platform no longer knows. Throws ProviderError otherwise.
 */
export async function revokeGrant(http: HttpClient, apiUrl: string, app: AppCredentials, set: TokenSet): Promise<void> {
  const token = set.refreshToken ?? set.accessToken;
  const hint = set.refreshToken ? 'refresh_token' : 'access_token';
  const { res } = await postOAuth(http, `${apiUrl}${P.revokePath}`, 'revoke', app, { token, token_type_hint: hint }, tokenBodyOf(set), true);
  const answer = classifyTokenAnswer(res);
  if (answer.kind !== 'issued') throw tokenEndpointFailure(answer, 'revoke');
}
