import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../framework/clock.js';
import { oauthError, readTokenParams, tokenAnswer } from '../framework/oauth.js';
import type { EmuRequest, EmuResponse, Handler } from '../framework/types.js';
import { randomString, safeEqual } from '../framework/util.js';
import { errorResponse, handle, unauthorizedToken } from './http.js';
import type { Company } from './model.js';
import { DEMO_ACCOUNT_ID, DEMO_USER_EMAIL, DEMO_USER_ID, SEED_REFRESH_TOKEN, SEED_SESSION_ID } from './seed-catalog.js';
import type { OnSchedState } from './state.js';

/**
 * OnSched V3 authentication (contract §2): the dashboard refresh token is exchanged at
 * `POST /v3/auth/token` for a 60-minute HS256 JWT and a rotated refresh token; API calls carry the
 * JWT plus a company `x-api-key`, public routes may use `x-client-id` instead of the JWT.
 */

/** JWT lifetime: `exp = iat + 3600` (§2.2). */
export const ACCESS_TOKEN_SECONDS = 3_600;
/** A used refresh token may be presented again this long after its first use (§2.2, Assumed). */
export const REUSE_GRACE_MS = 10_000;

interface Session {
  id: string;
  accountId: string;
  revoked: boolean;
}

interface RefreshRecord {
  sessionId: string;
  /** Emulator time of the first use, null while unused. */
  usedAt: number | null;
  successor: string | null;
}

/** Refresh tokens, sessions and issued access tokens; reset restores the dashboard token. */
export class TokenStore {
  private readonly secret = new Uint8Array(randomBytes(32));
  private sessions = new Map<string, Session>();
  private refresh = new Map<string, RefreshRecord>();
  /** Issued access tokens (session and expiry in ms), for `revoke-all` counts. */
  private access: Array<{ sessionId: string; expMs: number }> = [];
  /** The refresh token `/__sandbox/credentials` shows (the dashboard's). */
  dashboardToken = SEED_REFRESH_TOKEN;

  constructor(
    private readonly clock: Clock,
    private readonly issuer: () => string,
  ) {
    this.reset();
  }

  reset(): void {
    this.sessions.clear();
    this.refresh.clear();
    this.access = [];
    this.dashboardToken = SEED_REFRESH_TOKEN;
    this.openSession(SEED_SESSION_ID, SEED_REFRESH_TOKEN);
  }

  private openSession(id: string, token: string): void {
    this.sessions.set(id, { id, accountId: DEMO_ACCOUNT_ID, revoked: false });
    this.refresh.set(token, { sessionId: id, usedAt: null, successor: null });
  }

  private sessionAlive(id: string): Session | null {
    const s = this.sessions.get(id);
    return s && !s.revoked ? s : null;
  }

  /** Revokes every session; mints a new dashboard refresh token in a new session (README §7). */
  revokeAll(): { accessTokens: number; refreshTokens: number; codes: number } {
    const now = this.clock.now();
    const accessTokens = this.access.filter((a) => a.expMs > now && this.sessionAlive(a.sessionId)).length;
    const refreshTokens = [...this.refresh.values()].filter((r) => r.usedAt === null && this.sessionAlive(r.sessionId)).length;
    for (const s of this.sessions.values()) s.revoked = true;
    this.access = [];
    this.dashboardToken = randomString(22);
    this.openSession(randomUUID(), this.dashboardToken);
    return { accessTokens, refreshTokens, codes: 0 };
  }

  /**
   * Rotates `presented` (§2.2): unused → successor; used within the grace → the same successor;
   * used later → the whole session is revoked. Null when the token is unknown, revoked or reused.
   */
  rotate(presented: string, accountId: string): { sessionId: string; successor: string } | null {
    const record = [...this.refresh.entries()].find(([t]) => safeEqual(t, presented))?.[1];
    if (!record) return null;
    const session = this.sessionAlive(record.sessionId);
    if (!session || session.accountId !== accountId) return null;
    const now = this.clock.now();
    if (record.usedAt === null) {
      record.usedAt = now;
      record.successor = randomString(22);
      this.refresh.set(record.successor, { sessionId: session.id, usedAt: null, successor: null });
      return { sessionId: session.id, successor: record.successor };
    }
    if (now - record.usedAt <= REUSE_GRACE_MS && record.successor) return { sessionId: session.id, successor: record.successor };
    session.revoked = true;
    return null;
  }

  /** Signs a JWT with the §2.2 claims, `iat` = now and `exp = iat + 3600` on the emulator clock. */
  async issueAccessToken(sessionId: string): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + ACCESS_TOKEN_SECONDS;
    this.access.push({ sessionId, expMs: exp * 1000 });
    return new SignJWT({
      iss: this.issuer(),
      sub: DEMO_USER_ID,
      aud: 'authenticated',
      role: 'authenticated',
      email: DEMO_USER_EMAIL,
      session_id: sessionId,
      iat,
      exp,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(this.secret);
  }

  /** The account of a valid access token, or an error message (bad signature, expired, revoked). */
  async verify(token: string): Promise<{ accountId: string } | { error: string }> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        audience: 'authenticated',
        issuer: this.issuer(),
        currentDate: new Date(this.clock.now()),
      });
      const session = typeof payload.session_id === 'string' ? this.sessionAlive(payload.session_id) : null;
      if (!session) return { error: 'The session of this access token has been revoked' };
      return { accountId: session.accountId };
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      return { error: expired ? 'The access token has expired' : 'The access token is invalid' };
    }
  }
}

const header = (req: EmuRequest, name: string): string | null => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : null;
};

/**
 * `POST /v3/auth/token` (§2.2). Order: form encoding → `x-api-key` present → known (401
 * `invalid_client`) → `grant_type` → `refresh_token` present → key's company in the token's
 * account → refresh token rotation.
 */
export function tokenHandler(state: OnSchedState, tokens: TokenStore) {
  return async (req: EmuRequest): Promise<EmuResponse> => {
    const read = await readTokenParams(req, ['form']);
    if (!read.ok) return read.response;
    const p = read.params;
    const key = header(req, 'x-api-key');
    if (!key) return oauthError('invalid_request', 'The x-api-key header is required.');
    const company = state.companyByKey(key);
    if (!company) return oauthError('invalid_client', 'Unknown company API key.');
    if (!p.grant_type) return oauthError('invalid_request', 'grant_type is required.');
    if (p.grant_type !== 'refresh_token') return oauthError('unsupported_grant_type', 'Only grant_type=refresh_token is supported.');
    if (!p.refresh_token) return oauthError('invalid_request', 'refresh_token is required.');
    if (company.accountId !== DEMO_ACCOUNT_ID) return oauthError('invalid_grant', 'The company does not belong to this account.');
    const rotated = tokens.rotate(p.refresh_token, company.accountId);
    if (!rotated) return oauthError('invalid_grant', 'Invalid Refresh Token: Refresh Token Not Found, revoked or already used.');
    const accessToken = await tokens.issueAccessToken(rotated.sessionId);
    return tokenAnswer({ access_token: accessToken, token_type: 'bearer', refresh_token: rotated.successor });
  };
}

/** The company a request acts for, or the error answer (401/403 per §2.3). */
export type AuthResult = { ok: true; company: Company } | { ok: false; response: EmuResponse };

/**
 * §2.3: Bearer JWT + `x-api-key` (company of the token's account, else 403); on public routes,
 * without an Authorization header, `x-client-id` + `x-api-key` of the same company.
 */
export async function authenticate(req: EmuRequest, state: OnSchedState, tokens: TokenStore, isPublic: boolean): Promise<AuthResult> {
  const deny = (response: EmuResponse): AuthResult => ({ ok: false, response });
  const clientId = header(req, 'x-client-id');
  if (isPublic && !req.headers.authorization && clientId) {
    const key = header(req, 'x-api-key');
    const company = key ? state.companyByKey(key) : undefined;
    if (!company) return deny(errorResponse(401, key ? 'Unknown x-api-key' : 'The x-api-key header is required'));
    if (!safeEqual(company.publicClientId, clientId)) return deny(errorResponse(401, 'The x-client-id does not belong to this company'));
    return { ok: true, company };
  }
  const token = req.bearer();
  if (!token) return deny(unauthorizedToken(false, 'Authorization: Bearer access token required'));
  const verified = await tokens.verify(token);
  if ('error' in verified) return deny(unauthorizedToken(true, verified.error));
  const key = header(req, 'x-api-key');
  if (!key) return deny(errorResponse(401, 'The x-api-key header is required'));
  const company = state.companyByKey(key);
  if (!company) return deny(errorResponse(401, 'Unknown x-api-key'));
  if (company.accountId !== verified.accountId) return deny(errorResponse(403, 'The company is not part of your organization'));
  return { ok: true, company };
}

/** A route body that runs for an authenticated company. */
export type ApiHandler = (req: EmuRequest, company: Company) => Promise<EmuResponse> | EmuResponse;
/** Wraps an `ApiHandler` with §2.3 authentication (`isPublic`: `x-client-id` accepted) and §5 errors. */
export type Secure = (fn: ApiHandler, isPublic?: boolean) => Handler;

export function secureWith(state: OnSchedState, tokens: TokenStore): Secure {
  return (fn, isPublic = false) =>
    async (req) => {
      const auth = await authenticate(req, state, tokens, isPublic);
      if (!auth.ok) return auth.response;
      return handle((r) => fn(r, auth.company))(req);
    };
}
