import { createHash } from 'node:crypto';
import { bearerChallenge, consentRoutes, defaultRedirectUris, oauthError, readTokenParams, scopeChallenge, tokenAnswer } from '../framework/oauth.js';
import type { EmulatorContext, EmuRequest, EmuResponse, Route } from '../framework/types.js';
import { randomString, safeEqual } from '../framework/util.js';
import type { Envelope } from './http.js';
import { API_KEYS, APP_NAME, CLIENT_ID, CLIENT_SECRET, COMPANY_SUMMARIES, SCOPES } from './seed.js';

/**
 * yAppointment's authorization server (§2): consent with PKCE S256, the token endpoint
 * (authorization_code, refresh_token with strict rotation and reuse detection), RFC 7009
 * revocation of whole grants, and Bearer checks for the API (access tokens and secret API keys).
 */

export const CODE_TTL_MS = 10 * 60_000;
export const ACCESS_TTL_MS = 60 * 60_000;
export const REFRESH_TTL_MS = 90 * 86_400_000;

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** BASE64URL of a SHA-256 digest: 43 characters, no padding. */
const CHALLENGE_RE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.6: `BASE64URL(SHA256(ASCII(code_verifier)))`. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** One authorization: one company and the scopes the user allowed. Revoking it kills all its tokens. */
interface Grant {
  companyId: string;
  scopes: string[];
  revoked: boolean;
}

interface Code {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  companyId: string;
  expiresAt: number;
  used: boolean;
  /** The grant the exchange created (revoked if the code is presented again). */
  grantId: number | null;
}

interface IssuedToken {
  grantId: number;
  expiresAt: number;
  /** Refresh tokens only: already exchanged once. */
  used: boolean;
}

/** Who an API credential acts for. */
export interface Principal {
  companyId: string;
  scopes: ReadonlySet<string>;
}

/** Parses a `scope` parameter: space-separated known names (RFC 6749 §3.3); null when any is unknown. */
export function parseScopes(scope: string): string[] | null {
  const names = scope.split(' ');
  if (names.some((n) => !(SCOPES as readonly string[]).includes(n))) return null;
  return [...new Set(names)];
}

export class AuthServer {
  private grants = new Map<number, Grant>();
  private codes = new Map<string, Code>();
  private accessTokens = new Map<string, IssuedToken>();
  private refreshTokens = new Map<string, IssuedToken>();
  private nextGrant = 1;
  private readonly redirectUris: string[];

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly env: Envelope,
  ) {
    this.redirectUris = defaultRedirectUris('yappointment', ctx.options.redirectUris);
  }

  registeredRedirectUris(): string[] {
    return [...this.redirectUris];
  }

  /** Consent (§2.1), token (§2.2) and revocation (§2.3) routes. */
  routes(): Route[] {
    return [
      ...consentRoutes({
        path: '/oauth/authorize',
        client: (id) => (safeEqual(id, CLIENT_ID) ? { appName: APP_NAME, redirectUris: this.redirectUris } : null),
        validate: (p) => this.validateAuthorize(p),
        scopes: (p) => parseScopes(p.get('scope') ?? '') ?? [],
        accounts: () => COMPANY_SUMMARIES.map((c) => ({ id: c.id, name: c.name })),
        issueCode: (p, account) => this.issueCode(p, account),
      }),
      { method: 'POST', path: '/oauth/token', kind: 'token', handler: (req) => this.token(req) },
      { method: 'POST', path: '/oauth/revoke', kind: 'revoke', handler: (req) => this.revoke(req) },
    ];
  }

  private validateAuthorize(p: URLSearchParams): { error: string; description: string } | null {
    const scope = p.get('scope');
    if (!scope) return { error: 'invalid_request', description: 'scope is required' };
    const challenge = p.get('code_challenge');
    if (!challenge) return { error: 'invalid_request', description: 'code_challenge is required' };
    if (!CHALLENGE_RE.test(challenge)) return { error: 'invalid_request', description: 'code_challenge must be 43 base64url characters' };
    const method = p.get('code_challenge_method');
    if (method !== 'S256') return { error: 'invalid_request', description: 'code_challenge_method must be S256' };
    if (!parseScopes(scope)) return { error: 'invalid_scope', description: `unknown scope in "${scope}"` };
    return null;
  }

  private issueCode(p: URLSearchParams, companyId: string): string {
    const code = randomString(40);
    this.codes.set(code, {
      clientId: p.get('client_id') as string,
      redirectUri: p.get('redirect_uri') as string,
      challenge: p.get('code_challenge') as string,
      scopes: parseScopes(p.get('scope') as string) as string[],
      companyId,
      expiresAt: this.ctx.clock.now() + CODE_TTL_MS,
      used: false,
      grantId: null,
    });
    return code;
  }

  /** Body client authentication only (§2.2); Basic is not read. */
  private clientProblem(req: EmuRequest, params: Record<string, string | undefined>): EmuResponse | null {
    if (safeEqual(params.client_id, CLIENT_ID) && safeEqual(params.client_secret, CLIENT_SECRET)) return null;
    const usedBasic = req.basic() !== null;
    return oauthError('invalid_client', 'Client authentication failed', usedBasic ? { basicRealm: 'yappointment' } : {});
  }

  private issueTokens(grantId: number): EmuResponse {
    const now = this.ctx.clock.now();
    const access = `yapp_at_${randomString(40)}`;
    const refresh = `yapp_rt_${randomString(40)}`;
    this.accessTokens.set(access, { grantId, expiresAt: now + ACCESS_TTL_MS, used: false });
    this.refreshTokens.set(refresh, { grantId, expiresAt: now + REFRESH_TTL_MS, used: false });
    return tokenAnswer({ access_token: access, token_type: 'Bearer', expires_in: ACCESS_TTL_MS / 1000, refresh_token: refresh });
  }

  private revokeGrant(grantId: number | null): void {
    const grant = grantId === null ? undefined : this.grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  /** `POST /oauth/token` (§2.2 and its error table). */
  private async token(req: EmuRequest): Promise<EmuResponse> {
    const read = await readTokenParams(req, ['json', 'form']);
    if (!read.ok) return read.response;
    const p = read.params;
    const client = this.clientProblem(req, p);
    if (client) return client;
    if (!p.grant_type) return oauthError('invalid_request', 'grant_type is required');
    if (p.grant_type === 'authorization_code') return this.exchangeCode(p);
    if (p.grant_type === 'refresh_token') return this.refresh(p);
    return oauthError('unsupported_grant_type', `grant_type ${p.grant_type} is not supported`);
  }

  private exchangeCode(p: Record<string, string | undefined>): EmuResponse {
    if (!p.code) return oauthError('invalid_request', 'code is required');
    if (!p.redirect_uri) return oauthError('invalid_request', 'redirect_uri is required');
    const code = this.codes.get(p.code);
    if (!code || code.clientId !== p.client_id) return oauthError('invalid_grant', 'The authorization code is invalid');
    if (code.used) {
      // RFC 6749 §4.1.2: a replayed code revokes what it issued.
      this.revokeGrant(code.grantId);
      return oauthError('invalid_grant', 'The authorization code was already used');
    }
    if (this.ctx.clock.now() >= code.expiresAt) return oauthError('invalid_grant', 'The authorization code expired');
    if (p.redirect_uri !== code.redirectUri) return oauthError('invalid_grant', 'redirect_uri does not match the authorization request');
    if (!p.code_verifier) return oauthError('invalid_grant', 'code_verifier is required');
    if (!VERIFIER_RE.test(p.code_verifier) || !safeEqual(s256(p.code_verifier), code.challenge)) {
      return oauthError('invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const grantId = this.nextGrant++;
    this.grants.set(grantId, { companyId: code.companyId, scopes: code.scopes, revoked: false });
    code.used = true;
    code.grantId = grantId;
    return this.issueTokens(grantId);
  }

  private refresh(p: Record<string, string | undefined>): EmuResponse {
    if (!p.refresh_token) return oauthError('invalid_request', 'refresh_token is required');
    const token = this.refreshTokens.get(p.refresh_token);
    const grant = token ? this.grants.get(token.grantId) : undefined;
    if (!token || !grant) return oauthError('invalid_grant', 'The refresh token is invalid');
    if (token.used) {
      // Reuse detection (§2.2): a rotated-out token presented again kills the whole grant.
      grant.revoked = true;
      return oauthError('invalid_grant', 'The refresh token was already used; the authorization is revoked');
    }
    if (grant.revoked) return oauthError('invalid_grant', 'The authorization was revoked');
    if (this.ctx.clock.now() >= token.expiresAt) return oauthError('invalid_grant', 'The refresh token expired');
    token.used = true;
    return this.issueTokens(token.grantId);
  }

  /** `POST /oauth/revoke` (§2.3, RFC 7009): revokes the whole grant; 200 empty even for unknown tokens. */
  private async revoke(req: EmuRequest): Promise<EmuResponse> {
    const read = await readTokenParams(req, ['json', 'form']);
    if (!read.ok) return read.response;
    const client = this.clientProblem(req, read.params);
    if (client) return client;
    const value = read.params.token;
    if (!value) return oauthError('invalid_request', 'token is required');
    const found = this.accessTokens.get(value) ?? this.refreshTokens.get(value);
    if (found) this.revokeGrant(found.grantId);
    return { status: 200, headers: { 'cache-control': 'no-store' }, raw: '' };
  }

  /** The principal of a live credential, or null (unknown, expired, revoked). */
  principal(credential: string): Principal | null {
    for (const [companyId, key] of Object.entries(API_KEYS)) {
      if (safeEqual(credential, key)) return { companyId, scopes: new Set(SCOPES) };
    }
    const token = this.accessTokens.get(credential);
    const grant = token ? this.grants.get(token.grantId) : undefined;
    if (!token || !grant || grant.revoked || this.ctx.clock.now() >= token.expiresAt) return null;
    return { companyId: grant.companyId, scopes: new Set(grant.scopes) };
  }

  /**
   * README §4 Bearer checks: 401 (with a challenge) for a missing or dead credential, 403 with
   * `insufficient_scope` when `scope` is required and not granted.
   */
  authenticate(req: EmuRequest, scope: string | null): Principal | EmuResponse {
    const credential = req.bearer();
    if (!credential) {
      return this.env.error(401, 'Missing access token', { headers: bearerChallenge(false) });
    }
    const principal = this.principal(credential);
    if (!principal) return this.env.error(401, 'Invalid or expired access token', { headers: bearerChallenge(true) });
    if (scope && !principal.scopes.has(scope)) {
      return this.env.error(403, `This call needs the ${scope} scope`, { headers: scopeChallenge(scope) });
    }
    return principal;
  }

  /** Counts live credentials, then forgets every grant, code and token (README §7 revoke-all). */
  revokeAll(): { accessTokens: number; refreshTokens: number; codes: number } {
    const now = this.ctx.clock.now();
    const live = (t: IssuedToken) => !t.used && now < t.expiresAt && this.grants.get(t.grantId)?.revoked === false;
    const counts = {
      accessTokens: [...this.accessTokens.values()].filter(live).length,
      refreshTokens: [...this.refreshTokens.values()].filter(live).length,
      codes: [...this.codes.values()].filter((c) => !c.used && now < c.expiresAt).length,
    };
    this.reset();
    return counts;
  }

  reset(): void {
    this.grants.clear();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }
}
