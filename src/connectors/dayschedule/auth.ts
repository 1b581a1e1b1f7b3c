import { z } from 'zod';
import { classifyTokenAnswer, describeTokenAnswer, type TokenAnswer } from '../../tokens/token-answer.js';
import type { TokenSet, TokenStrategy } from '../../tokens/token-manager.js';
import { ProviderError } from '../errors.js';
import { GrantRevokedError } from '../../tokens/errors.js';
import { type HttpClient, type HttpResponse, parseBody } from '../http.js';
import { postTokenRequest, tokenBodyOf, type TokenBodyEncoding, tokenEndpointError } from '../oauth.js';
import { dayscheduleProvider as P } from './provider.js';
import { tokenAnswerSchema } from './schemas.js';

/**
 * A consent-flow platform: a tenant gives no credentials (the grant comes from the consent page and
 * lives in the token store), so the stored credentials are an empty object.
 */
export const dayscheduleCredentialsSchema = z.object({});
export type DayScheduleCredentials = z.infer<typeof dayscheduleCredentialsSchema>;

/** The app's client id and secret (configuration `DAYSCHEDULE_CLIENT_ID` / `_SECRET`). */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** The app credentials of `app`; throws PROVIDER_ERROR naming the missing configuration. */
export function appCredentials(app: { clientId?: string; clientSecret?: string }): AppCredentials {
  if (!app.clientId || !app.clientSecret) {
    throw new ProviderError(
      P.key,
      'token',
      'PROVIDER_ERROR',
      'DaySchedule has no app credentials configured: set DAYSCHEDULE_CLIENT_ID and DAYSCHEDULE_CLIENT_SECRET',
    );
  }
  return { clientId: app.clientId, clientSecret: app.clientSecret };
}

/**
 * The consent URL (§2.1): `client_id`, `redirect_uri`, `response_type=code`, `state`. The platform
 * has neither scopes nor PKCE, so none are sent.
 */
export function buildAuthorizeUrl(authUrl: string, clientId: string, params: { state: string; redirectUri: string }): string {
  const u = new URL(`${authUrl}${P.authorizePath}`);
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('redirect_uri', params.redirectUri);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('state', params.state);
  return u.toString();
}

/**
 * A 200 token answer as a token set, times counted from `requestedAtMs` on the gateway's clock. A
 * connection whose token endpoint took only a form body records it (`meta.tokenBody: 'form'`).
 */
export function toTokenSet(res: HttpResponse, requestedAtMs: number, encoding: TokenBodyEncoding = 'json'): TokenSet {
  const t = parseBody(res, tokenAnswerSchema, P.key, 'token');
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: requestedAtMs + t.expires_in * 1000,
    refreshExpiresAt: null,
    obtainedAt: requestedAtMs,
    ...(encoding === 'form' ? { meta: { tokenBody: 'form' } } : {}),
  };
}

/**
 * Authorization-code exchange (§2.2): `POST /v1/oauth2/token`, JSON with the client id and secret
 * in the body and the `redirect_uri` of the consent request (a JSON body refused with
 * `invalid_request` is sent once more as a form, `postTokenRequest`); times stamped with `now` (the
 * token manager's clock, `ctx.tokens.now`). Throws BAD_USER_INPUT when the platform refuses the code
 * (`invalid_grant`), PROVIDER_ERROR when it refuses the app, PROVIDER_UNAVAILABLE on 429/5xx.
 */
export async function exchangeAuthorizationCode(
  http: HttpClient,
  authUrl: string,
  app: AppCredentials,
  params: { code: string; redirectUri: string },
  now: () => number,
): Promise<TokenSet> {
  const requestedAt = now();
  const { res, encoding } = await postTokenRequest(http, {
    operation: 'exchangeCode',
    url: `${authUrl}${P.tokenPath}`,
    params: {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    },
  });
  const answer = classifyTokenAnswer(res);
  switch (answer.kind) {
    case 'issued':
      return toTokenSet(res, requestedAt, encoding);
    case 'grant-refused':
      throw new ProviderError(P.key, 'exchangeCode', 'BAD_USER_INPUT', `DaySchedule refused the authorization code (${describeTokenAnswer(answer)})`, {
        status: answer.status,
      });
    case 'client-refused':
      throw appCredentialsRejected('exchangeCode', answer);
    default:
      throw tokenEndpointError(P.key, P.displayName, 'exchangeCode', answer);
  }
}

/**
 * Refresh-token grant (§2.2): JSON `grant_type=refresh_token` with the client id and secret in the
 * body (or the form body the connection's token set records, `meta.tokenBody`). Every answer carries a NEW refresh token and the presented one dies at once, so the strategy
 * presents the newest stored one (`current.refreshToken`) and returns the successor in the set —
 * the token manager stores the set before anyone uses the new access token. Times are stamped with
 * the manager's clock (`now`).
 *
 * Throws `GrantRevokedError` on `invalid_grant` (the app was disconnected in DaySchedule, or the
 * token was already rotated) and when no refresh token is stored. `invalid_client` is the app's
 * configuration, not this grant: PROVIDER_ERROR, the connection stays as it is.
 */
export function refreshTokenStrategy(http: HttpClient, authUrl: string, app: { clientId?: string; clientSecret?: string }): TokenStrategy {
  return {
    marginSeconds: P.expiryMarginSeconds,
    async obtain(current: TokenSet | null, now: () => number): Promise<TokenSet> {
      if (!current?.refreshToken) {
        throw new GrantRevokedError(P.key, 'No DaySchedule refresh token is stored for this connection: connect DaySchedule again');
      }
      const { clientId, clientSecret } = appCredentials(app);
      const requestedAt = now();
      const { res, encoding } = await postTokenRequest(
        http,
        {
          operation: 'token',
          url: `${authUrl}${P.tokenPath}`,
          params: { grant_type: 'refresh_token', refresh_token: current.refreshToken, client_id: clientId, client_secret: clientSecret },
        },
        tokenBodyOf(current),
      );
      const answer = classifyTokenAnswer(res);
      switch (answer.kind) {
        case 'issued':
          return toTokenSet(res, requestedAt, encoding);
        case 'grant-refused':
          throw new GrantRevokedError(
            P.key,
            `DaySchedule refused the refresh token (${describeTokenAnswer(answer)}): the app was disconnected in DaySchedule; connect DaySchedule again`,
          );
        case 'client-refused':
          throw appCredentialsRejected('token', answer);
        default:
          throw tokenEndpointError(P.key, P.displayName, 'token', answer);
      }
    },
  };
}

/**
 * The app's own client id or secret was refused: a gateway configuration problem, which a person
 * reconnecting would not fix, so PROVIDER_ERROR rather than NEEDS_REAUTH.
 */
function appCredentialsRejected(operation: string, answer: TokenAnswer): ProviderError {
  return new ProviderError(
    P.key,
    operation,
    'PROVIDER_ERROR',
    `DaySchedule rejected the app's client credentials (${describeTokenAnswer(answer)}): check DAYSCHEDULE_CLIENT_ID and DAYSCHEDULE_CLIENT_SECRET`,
    { status: answer.status },
  );
}
