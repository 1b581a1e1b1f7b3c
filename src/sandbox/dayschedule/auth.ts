import { bearerChallenge, consentRoutes, oauthError, readTokenParams, tokenAnswer } from '../framework/oauth.js';
import type { EmuRequest, EmuResponse, Route } from '../framework/types.js';
import { randomHex, randomString, safeEqual } from '../framework/util.js';
import { dsError } from './http.js';
import { APP_NAME, CLIENT_ID, CLIENT_SECRET } from './model.js';
import { ACCESS_TTL_SECONDS, CODE_TTL_MS, type DayScheduleState } from './state.js';

/**
 * OAuth2 of dayschedule.md §2: the consent page (authorization code, no PKCE, scope ignored), the
 * JSON-only token endpoint with body client auth and rotating refresh tokens, and the `/v1` caller
 * check (Bearer token, else `?apiKey=`).
 */

export const AUTHORIZE_PATH = '/v1/oauth2/authorize';
export const TOKEN_PATH = '/v1/oauth2/token';

/** Who is calling an API route. */
export interface Caller {
  orgId: number;
  via: 'token' | 'apiKey';
}

/** GET/POST `/v1/oauth2/authorize` (§2.1, README §4). */
export function authorizeRoutes(state: DayScheduleState, redirectUris: string[]): Route[] {
  return consentRoutes({
    path: AUTHORIZE_PATH,
    client: (clientId) => (safeEqual(clientId, CLIENT_ID) ? { appName: APP_NAME, redirectUris } : null),
    // Scope and PKCE parameters are ignored (§2.1); `state` is optional.
    validate: () => null,
    scopes: () => [],
    accounts: () => state.data.orgs.map((o) => ({ id: String(o.org_id), name: o.name })),
    issueCode: (params, accountId) => {
      const code = randomString(32);
      state.codes.set(code, {
        clientId: params.get('client_id') ?? '',
        redirectUri: params.get('redirect_uri') ?? '',
        orgId: Number(accountId),
        expiresAt: state.clock.now() + CODE_TTL_MS,
        used: false,
        grantId: null,
      });
      return code;
    },
  });
}

/** Issues a fresh access + refresh token pair under `grantId` and answers the four §2.2 fields. */
function issuePair(state: DayScheduleState, grantId: string, clientId: string, orgId: number): EmuResponse {
  const access = randomHex(40);
  const refresh = randomHex(48);
  state.accessTokens.set(access, { grantId, orgId, expiresAt: state.clock.now() + ACCESS_TTL_SECONDS * 1000 });
  state.refreshTokens.set(refresh, { grantId, clientId, orgId });
  return tokenAnswer({ access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: ACCESS_TTL_SECONDS });
}

/** `POST /v1/oauth2/token` (§2.2). */
export function tokenRoute(state: DayScheduleState): Route {
  return {
    method: 'POST',
    path: TOKEN_PATH,
    kind: 'token',
    handler: async (req) => {
      const read = await readTokenParams(req, ['json']);
      if (!read.ok) return read.response;
      const { params, raw } = read;
      // Client authentication is read from the body only; a Basic header is not looked at (§2.2).
      const basicRealm = req.basic() ? 'dayschedule' : undefined;
      if (!params.client_id || !params.client_secret) {
        return oauthError('invalid_client', 'client_id and client_secret are required in the request body.', { basicRealm });
      }
      if (!safeEqual(params.client_id, CLIENT_ID) || !safeEqual(params.client_secret, CLIENT_SECRET)) {
        return oauthError('invalid_client', 'Client authentication failed.', { basicRealm });
      }
      const clientId = params.client_id;
      const grantType = params.grant_type;
      if (!grantType) return oauthError('invalid_request', 'grant_type is required.');
      if (grantType === 'authorization_code') {
        const code = params.code;
        if (!code) return oauthError('invalid_request', 'code is required.');
        if (raw.redirect_uri !== undefined && typeof raw.redirect_uri !== 'string') {
          return oauthError('invalid_request', 'redirect_uri must be a string.');
        }
        const entry = state.codes.get(code);
        if (!entry) return oauthError('invalid_grant', 'The authorization code is invalid.');
        if (entry.used) {
          // README §4: a replayed code revokes every token issued from it.
          if (entry.grantId) state.revokeGrant(entry.grantId);
          return oauthError('invalid_grant', 'The authorization code has already been used.');
        }
        if (entry.expiresAt <= state.clock.now()) return oauthError('invalid_grant', 'The authorization code has expired.');
        if (!safeEqual(entry.clientId, clientId)) return oauthError('invalid_grant', 'The authorization code was issued to another client.');
        if (params.redirect_uri !== undefined && params.redirect_uri !== entry.redirectUri) {
          return oauthError('invalid_grant', 'redirect_uri does not match the authorization request.');
        }
        entry.used = true;
        const grantId = randomHex(24);
        entry.grantId = grantId;
        state.grants.set(grantId, { id: grantId, clientId, orgId: entry.orgId, revoked: false });
        return issuePair(state, grantId, clientId, entry.orgId);
      }
      if (grantType === 'refresh_token') {
        const presented = params.refresh_token;
        if (!presented) return oauthError('invalid_request', 'refresh_token is required.');
        const entry = state.refreshTokens.get(presented);
        const grant = entry ? state.grants.get(entry.grantId) : undefined;
        if (!entry || !grant || grant.revoked) return oauthError('invalid_grant', 'The refresh token is invalid.');
        if (!safeEqual(entry.clientId, clientId)) return oauthError('invalid_grant', 'The refresh token was issued to another client.');
        // Rotation (§2.2): the presented token dies now; the grant's other tokens stay valid.
        state.refreshTokens.delete(presented);
        return issuePair(state, grant.id, clientId, grant.orgId);
      }
      return oauthError('unsupported_grant_type', `grant_type ${grantType} is not supported.`);
    },
  };
}

/**
 * The caller of a `/v1` route (§2.3): the Bearer token when one is sent (it wins over `apiKey`),
 * else a seeded `apiKey` query parameter; otherwise the §5 401 with a README §4 challenge.
 */
export function authenticate(state: DayScheduleState, req: EmuRequest): Caller | EmuResponse {
  const bearer = req.bearer();
  if (bearer !== null) {
    const token = state.accessTokens.get(bearer);
    const grant = token ? state.grants.get(token.grantId) : undefined;
    if (!token || !grant || grant.revoked || token.expiresAt <= state.clock.now()) {
      return { ...dsError(401, 'Unauthorized'), headers: bearerChallenge(true) };
    }
    return { orgId: token.orgId, via: 'token' };
  }
  const key = req.query.get('apiKey');
  if (key !== null) {
    const org = state.data.orgs.find((o) => safeEqual(o.api_key, key));
    if (!org) return { ...dsError(401, 'Unauthorized'), headers: bearerChallenge(true, 'The API key is invalid') };
    return { orgId: org.org_id, via: 'apiKey' };
  }
  return { ...dsError(401, 'Unauthorized'), headers: bearerChallenge(false) };
}

export const isCaller = (v: Caller | EmuResponse): v is Caller => 'orgId' in v;

/** Wraps an API handler: authenticates first (README §3 order), then hands over the caller. */
export function withCaller(
  state: DayScheduleState,
  handler: (req: EmuRequest, caller: Caller) => EmuResponse | Promise<EmuResponse>,
): (req: EmuRequest) => EmuResponse | Promise<EmuResponse> {
  return (req) => {
    const caller = authenticate(state, req);
    return isCaller(caller) ? handler(req, caller) : caller;
  };
}
