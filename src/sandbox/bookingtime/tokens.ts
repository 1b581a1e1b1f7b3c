import { randomBytes } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import type { Clock } from '../framework/clock.js';
import { randomBase64Url, randomString } from '../framework/util.js';

/**
 * Token tables of the bookingtime emulator (contract §2). Tokens are HS256 JWTs signed with a key
 * of this emulator instance; claims `iss`, `sub` (client id), `typ` (`refresh` | `access`), `org`
 * (organization id or null), `iat`, `exp`, `jti`. A token is good only while its `jti` is in the
 * table, unrevoked and unexpired on the emulator clock.
 */

/** Refresh token lifetime in seconds (documented: 30 days). */
export const REFRESH_TTL_SECONDS = 2_592_000;
/** Access token lifetime in seconds (documented: 5 minutes). */
export const ACCESS_TTL_SECONDS = 300;
/** Authorization code lifetime in ms (README §4). */
export const CODE_TTL_MS = 600_000;
export const ISSUER = 'https://auth.bookingtime.com';

export interface RefreshRecord {
  jti: string;
  clientId: string;
  /** The organizations an access token may be bound to. */
  organizations: string[];
  /** Set when the token came from an authorization code (README §4 code-reuse revocation). */
  code: string | null;
  expiresMs: number;
  revoked: boolean;
}

export interface AccessRecord {
  jti: string;
  clientId: string;
  /** Bound organization; null = app-level token (contract §2.3). */
  organizationId: string | null;
  refreshJti: string;
  expiresMs: number;
  revoked: boolean;
}

export interface CodeRecord {
  code: string;
  clientId: string;
  redirectUri: string;
  organizationId: string;
  expiresMs: number;
  used: boolean;
  revoked: boolean;
}

export class TokenStore {
  private readonly key = randomBytes(32);
  private refresh = new Map<string, RefreshRecord>();
  private access = new Map<string, AccessRecord>();
  private codes = new Map<string, CodeRecord>();

  constructor(private readonly clock: Clock) {}

  private async sign(typ: 'refresh' | 'access', clientId: string, org: string | null, ttlSeconds: number, jti: string) {
    const iat = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ iss: ISSUER, sub: clientId, typ, org, iat, exp: iat + ttlSeconds, jti })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
      .sign(this.key);
  }

  /** The claims of a token signed by this emulator, or null (bad signature, not a JWT). */
  private async claims(token: string): Promise<Record<string, unknown> | null> {
    try {
      const { payload } = await compactVerify(token, this.key, { algorithms: ['HS256'] });
      const claims = JSON.parse(new TextDecoder().decode(payload));
      return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  async issueRefresh(clientId: string, organizations: string[], code: string | null, tokenOrg: string | null): Promise<string> {
    const jti = randomString(24);
    this.refresh.set(jti, {
      jti,
      clientId,
      organizations,
      code,
      expiresMs: this.clock.now() + REFRESH_TTL_SECONDS * 1000,
      revoked: false,
    });
    return this.sign('refresh', clientId, tokenOrg, REFRESH_TTL_SECONDS, jti);
  }

  async issueAccess(refresh: RefreshRecord, organizationId: string | null): Promise<string> {
    const jti = randomString(24);
    this.access.set(jti, {
      jti,
      clientId: refresh.clientId,
      organizationId,
      refreshJti: refresh.jti,
      expiresMs: this.clock.now() + ACCESS_TTL_SECONDS * 1000,
      revoked: false,
    });
    return this.sign('access', refresh.clientId, organizationId, ACCESS_TTL_SECONDS, jti);
  }

  /** A live refresh token's record, or null (expired, revoked, malformed, unknown). */
  async verifyRefresh(token: string): Promise<RefreshRecord | null> {
    const claims = await this.claims(token);
    if (!claims || claims.typ !== 'refresh' || typeof claims.jti !== 'string') return null;
    const rec = this.refresh.get(claims.jti);
    return rec && !rec.revoked && this.clock.now() < rec.expiresMs ? rec : null;
  }

  /** A live access token's record, or null. */
  async verifyAccess(token: string): Promise<AccessRecord | null> {
    const claims = await this.claims(token);
    if (!claims || claims.typ !== 'access' || typeof claims.jti !== 'string') return null;
    const rec = this.access.get(claims.jti);
    return rec && !rec.revoked && this.clock.now() < rec.expiresMs ? rec : null;
  }

  issueCode(clientId: string, redirectUri: string, organizationId: string): string {
    const code = randomBase64Url(40);
    this.codes.set(code, { code, clientId, redirectUri, organizationId, expiresMs: this.clock.now() + CODE_TTL_MS, used: false, revoked: false });
    return code;
  }

  /**
   * Redeems a code (single use). A second presentation revokes every token issued from it and
   * fails (README §4). Returns the record or a reason for `invalid_grant`.
   */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined): CodeRecord | string {
    const rec = this.codes.get(code);
    if (!rec || rec.revoked || rec.clientId !== clientId) return 'The authorization code is invalid.';
    if (rec.used) {
      this.revokeFromCode(code);
      return 'The authorization code has already been used.';
    }
    if (this.clock.now() >= rec.expiresMs) return 'The authorization code has expired.';
    if (redirectUri === undefined || redirectUri !== rec.redirectUri) return 'The redirect_uri does not match the authorization request.';
    rec.used = true;
    return rec;
  }

  private revokeFromCode(code: string): void {
    const refreshJtis = new Set<string>();
    for (const r of this.refresh.values()) {
      if (r.code === code) {
        r.revoked = true;
        refreshJtis.add(r.jti);
      }
    }
    for (const a of this.access.values()) if (refreshJtis.has(a.refreshJti)) a.revoked = true;
  }

  /** Kills every token and code; counts those that were still live (README §7 revoke-all). */
  revokeAll(): { accessTokens: number; refreshTokens: number; codes: number } {
    const now = this.clock.now();
    const counts = { accessTokens: 0, refreshTokens: 0, codes: 0 };
    for (const a of this.access.values()) {
      if (!a.revoked && now < a.expiresMs) counts.accessTokens++;
      a.revoked = true;
    }
    for (const r of this.refresh.values()) {
      if (!r.revoked && now < r.expiresMs) counts.refreshTokens++;
      r.revoked = true;
    }
    for (const c of this.codes.values()) {
      if (!c.revoked && !c.used && now < c.expiresMs) counts.codes++;
      c.revoked = true;
    }
    return counts;
  }

  reset(): void {
    this.refresh.clear();
    this.access.clear();
    this.codes.clear();
  }
}
