import { bearerChallenge, consentRoutes, defaultRedirectUris, oauthError, readTokenParams, tokenAnswer } from '../framework/oauth.js';
import type { EmulatorContext, EmuRequest, EmuResponse, Handler, Route } from '../framework/types.js';
import { safeEqual } from '../framework/util.js';
import { failure, TEXT } from './envelope.js';
import { APP_NAME, CLIENT_ID, CLIENT_SECRET } from './seed.js';
import type { BookingtimeState, Organization } from './state.js';
import { type AccessRecord, ACCESS_TTL_SECONDS, REFRESH_TTL_SECONDS, type TokenStore } from './tokens.js';

/**
 * bookingtime authentication (contract §2): the form-only token endpoint with its three grants,
 * the consent page of the authorization-code flow, and the bearer/organization guard of the App API.
 */

export const AUTHORIZE_PATH = '/oauth/authorize';

/** `{locale}` of the App API paths (contract §1); anything else is an unknown route (404). */
export const LOCALE_PATTERN = /^[a-z]{2}(_[A-Z]{2})?$/;

export interface AuthDeps {
  ctx: EmulatorContext;
  state: BookingtimeState;
  tokens: TokenStore;
}

export function redirectUris(ctx: EmulatorContext): string[] {
  return defaultRedirectUris('bookingtime', ctx.options.redirectUris);
}

/** `POST /oauth/token` (contract §2 table; checks in README §3 order: request, client, grant). */
export function tokenHandler({ state, tokens }: AuthDeps): Handler {
  return async (req) => {
    // Form bodies only; JSON and anything else → invalid_request. HTTP Basic is never read.
    const read = await readTokenParams(req, ['form', 'multipart']);
    if (!read.ok) return read.response;
    const p = read.params;
    const grant = p.grant_type;
    if (!grant) return oauthError('invalid_request', 'The grant_type parameter is missing.');
    if (grant !== 'client_credentials' && grant !== 'authorization_code' && grant !== 'refresh_token') {
      return oauthError('unsupported_grant_type', `The grant type ${grant} is not supported.`);
    }
    if (!p.client_id) return oauthError('invalid_request', 'The client_id parameter is missing.');
    if (!safeEqual(p.client_id, CLIENT_ID)) return oauthError('invalid_client', 'Client authentication failed.');
    // The secret is required for client credentials and code; optional on refresh but checked when sent.
    const secretRequired = grant !== 'refresh_token';
    if (p.client_secret === undefined ? secretRequired : !safeEqual(p.client_secret, CLIENT_SECRET)) {
      return oauthError('invalid_client', 'Client authentication failed.');
    }
    const permitted = state.permittedOrganizations().map((o) => o.id);

    if (grant === 'client_credentials') {
      const refresh = await tokens.issueRefresh(CLIENT_ID, permitted, null, null);
      return tokenAnswer({ refresh_token: refresh, token_type: 'Bearer', expires_in: REFRESH_TTL_SECONDS });
    }

    if (grant === 'authorization_code') {
      if (!p.code) return oauthError('invalid_request', 'The code parameter is missing.');
      const redeemed = tokens.redeemCode(p.code, CLIENT_ID, p.redirect_uri);
      if (typeof redeemed === 'string') return oauthError('invalid_grant', redeemed);
      const refresh = await tokens.issueRefresh(CLIENT_ID, [redeemed.organizationId], redeemed.code, redeemed.organizationId);
      return tokenAnswer({ refresh_token: refresh, token_type: 'Bearer', expires_in: REFRESH_TTL_SECONDS });
    }

    if (!p.refresh_token) return oauthError('invalid_request', 'The refresh_token parameter is missing.');
    const record = await tokens.verifyRefresh(p.refresh_token);
    if (!record || record.clientId !== p.client_id) return oauthError('invalid_grant', 'The refresh token is invalid or expired.');
    const orgId = p.organization_id ?? null;
    // An empty organization_id counts as absent (an app-level token), like the SDK's empty URL organization.
    if (orgId && !record.organizations.includes(orgId)) {
      return oauthError('invalid_grant', 'The organization is unknown or not covered by the refresh token.');
    }
    const access = await tokens.issueAccess(record, orgId || null);
    return tokenAnswer({ access_token: access, token_type: 'Bearer', expires_in: ACCESS_TTL_SECONDS });
  };
}

/** The consent page of README §4 at `/oauth/authorize`; `account` = the permitted organizations. */
export function consent({ ctx, state, tokens }: AuthDeps): Route[] {
  return consentRoutes({
    path: AUTHORIZE_PATH,
    client: (clientId) => (clientId === CLIENT_ID ? { appName: APP_NAME, redirectUris: redirectUris(ctx) } : null),
    // `scope` is accepted without effect and PKCE parameters are ignored (contract §2.2).
    validate: () => null,
    scopes: () => [],
    accounts: () => state.permittedOrganizations().map((o) => ({ id: o.id, name: o.name })),
    issueCode: (params, accountId) => tokens.issueCode(CLIENT_ID, params.get('redirect_uri') ?? '', accountId),
  });
}

export interface ApiCall {
  req: EmuRequest;
  token: AccessRecord;
  /** The URL's organization (organization routes only). */
  org: Organization;
}

/**
 * Wraps an organization route (`/app/v3/{locale}/organization/{organizationId}/…`): bad locale → 404,
 * no/invalid token → 401, token not bound to exactly this organization → 403 (contract §2.3, §5).
 */
export function organizationRoute(deps: AuthDeps, handler: (call: ApiCall) => EmuResponse | Promise<EmuResponse>): Handler {
  return async (req) => {
    const auth = await authenticate(deps, req);
    if ('status' in auth) return auth;
    const org = deps.state.organization(req.params.organizationId);
    if (auth.organizationId === null || auth.organizationId !== req.params.organizationId || !org?.permitted) {
      return failure(403, TEXT.forbidden);
    }
    return handler({ req, token: auth, org });
  };
}

/** Wraps an app-level route (`/app/v3/{locale}/app/{appId}/…`): any live token of that app. */
export function appRoute(deps: AuthDeps, handler: (req: EmuRequest, token: AccessRecord) => EmuResponse | Promise<EmuResponse>): Handler {
  return async (req) => {
    const auth = await authenticate(deps, req);
    if ('status' in auth) return auth;
    if (auth.clientId !== req.params.appId) return failure(403, TEXT.forbiddenApp);
    return handler(req, auth);
  };
}

async function authenticate({ tokens }: AuthDeps, req: EmuRequest): Promise<AccessRecord | EmuResponse> {
  if (!LOCALE_PATTERN.test(req.params.locale)) return failure(404, TEXT.notFound);
  const bearer = req.bearer();
  if (!bearer) return failure(401, TEXT.unauthorized, bearerChallenge(false));
  const record = await tokens.verifyAccess(bearer);
  if (!record) return failure(401, TEXT.unauthorized, bearerChallenge(true, TEXT.unauthorized));
  return record;
}
