import { z } from 'zod';
import { AccessTokenRejectedError, GrantRevokedError } from '../../tokens/errors.js';
import { classifyTokenAnswer } from '../../tokens/token-answer.js';
import type { ConnectionTokens, TokenSet, TokenStrategy } from '../../tokens/token-manager.js';
import { type HttpClient, parseBody, platformNow } from '../http.js';
import { tokenEndpointError } from '../oauth.js';
import { bookingtimeProvider as P } from './provider.js';
import { accessAnswerSchema, refreshAnswerSchema } from './schemas.js';

/** What a tenant gives `connectProvider` for bookingtime (contract §2.1). */
export const bookingtimeCredentialsSchema = z.object({
  clientId: z.string().trim().min(1, 'clientId is required'),
  clientSecret: z.string().min(1, 'clientSecret is required'),
  /** The app id of the app-level routes; bookingtime's app id equals the client id (§3.1). */
  appId: z.string().trim().min(1).optional(),
});
export type BookingtimeCredentials = z.infer<typeof bookingtimeCredentialsSchema>;

/** The app id of the app-level routes: the one given, else the client id (§3.1). */
export const appIdOf = (creds: BookingtimeCredentials): string => creds.appId ?? creds.clientId;

/** The token-manager name of the access token bound to `organizationId`. */
export const organizationTokenName = (organizationId: string) => `${P.tokenNames.organizationPrefix}${organizationId}`;

/**
 * Decides what an `invalid_grant` on a refresh token means (pure): true when the token has run out
 * (or is within `marginSeconds` of it) on the platform's clock, so client credentials may simply
 * issue a new one; false when it was refused while it should still live, i.e. revoked (the app
 * was removed from the organization): a person has to act. An unknown expiry counts as run out.
 */
export function refreshTokenLapsed(platformNowMs: number, platformExpiresAtMs: number | undefined, marginSeconds: number): boolean {
  if (platformExpiresAtMs === undefined || !Number.isFinite(platformExpiresAtMs)) return true;
  return platformNowMs >= platformExpiresAtMs - marginSeconds * 1000;
}

/** `invalid_client` (or any 401) from the token endpoint: the app or its secret is gone (§2.1). */
const rejectedClient = (description: string | null) =>
  new GrantRevokedError(
    P.key,
    `bookingtime rejected the client id or secret (invalid_client${description ? `: ${description}` : ''}): the app was deleted or its secret changed; connect bookingtime again with the app's current client id and secret`,
  );

/**
 * Client credentials → refresh token (contract §2.1): a form-encoded POST with the secret in the
 * body. The set's `accessToken` is the 30-day refresh token (a `grant`: it only obtains access
 * tokens); it is renewed `refreshMarginSeconds` (one day) before it runs out. A refused client
 * (`invalid_client`, 401) means the app or its secret is gone: the grant is dead (GrantRevokedError).
 * Any other answer is a ProviderError (`tokenEndpointError`: PROVIDER_UNAVAILABLE for 5xx/429).
 */
export function clientCredentialsStrategy(http: HttpClient, authUrl: string, creds: BookingtimeCredentials): TokenStrategy {
  return {
    kind: 'grant',
    marginSeconds: P.refreshMarginSeconds,
    async obtain(_current: TokenSet | null, now: () => number): Promise<TokenSet> {
      const requestedAt = now();
      const res = await http.send({
        operation: 'token',
        method: 'POST',
        url: `${authUrl}${P.tokenPath}`,
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret }),
      });
      const answer = classifyTokenAnswer(res);
      if (answer.kind === 'client-refused') throw rejectedClient(answer.description);
      if (answer.kind !== 'issued') throw tokenEndpointError(P.key, P.displayName, 'token', answer);
      const t = parseBody(res, refreshAnswerSchema, P.key, 'token');
      return {
        accessToken: t.refresh_token,
        refreshToken: t.refresh_token,
        expiresAt: requestedAt + t.expires_in * 1000,
        refreshExpiresAt: requestedAt + t.expires_in * 1000,
        obtainedAt: requestedAt,
        meta: { platformExpiresAt: platformNow(res.headers, requestedAt) + t.expires_in * 1000 },
      };
    },
  };
}

/**
 * Refresh token → 300-second access token (contract §2.3), bound to `organizationId` (null = the
 * organization-less token of the app-level routes). The exchange runs inside
 * `tokens.use('refresh', …)`: when the platform answers `invalid_grant` because the refresh token
 * ran out on its clock, the call throws `AccessTokenRejectedError`, so the token manager renews the
 * refresh token once with client credentials (shared by every organization) and exchanges again.
 * An `invalid_grant` while the refresh token should still live (revoked, organization no longer
 * permitted) or a second refusal is `GrantRevokedError` → NEEDS_REAUTH, and so is a refused client
 * (`invalid_client`, 401). Any other answer is a ProviderError (`tokenEndpointError`).
 */
export function accessTokenStrategy(opts: {
  http: HttpClient;
  authUrl: string;
  creds: BookingtimeCredentials;
  tokens: ConnectionTokens;
  refresh: TokenStrategy;
  organizationId: string | null;
}): TokenStrategy {
  const { http, authUrl, creds, tokens, refresh, organizationId } = opts;
  return {
    kind: 'access',
    marginSeconds: P.accessMarginSeconds,
    obtain: (_current, now) =>
      tokens.use(P.tokenNames.refresh, refresh, async (refreshSet): Promise<TokenSet> => {
        const requestedAt = now();
        const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: creds.clientId, refresh_token: refreshSet.accessToken });
        if (organizationId) form.set('organization_id', organizationId);
        const res = await http.send({ operation: 'token', method: 'POST', url: `${authUrl}${P.tokenPath}`, body: form });
        const answer = classifyTokenAnswer(res);
        switch (answer.kind) {
          case 'issued': {
            const t = parseBody(res, accessAnswerSchema, P.key, 'token');
            return { accessToken: t.access_token, expiresAt: requestedAt + t.expires_in * 1000, obtainedAt: requestedAt, meta: { organizationId } };
          }
          case 'grant-refused': {
            const platformExpiresAt = refreshSet.meta?.platformExpiresAt as number | undefined;
            if (refreshTokenLapsed(platformNow(res.headers, now()), platformExpiresAt, P.refreshMarginSeconds)) {
              throw new AccessTokenRejectedError(P.key, 'token');
            }
            throw new GrantRevokedError(
              P.key,
              `bookingtime refused the app's refresh token before it expired (invalid_grant${answer.description ? `: "${answer.description}"` : ''}): the app's access was revoked in bookingtime. Allow the app again there, then connect bookingtime again`,
            );
          }
          case 'client-refused':
            throw rejectedClient(answer.description);
          default:
            throw tokenEndpointError(P.key, P.displayName, 'token', answer);
        }
      }),
  };
}

/** The strategies of one connection: the refresh token, the app-level token, one per organization. */
export class BookingtimeAuth {
  readonly refresh: TokenStrategy;
  readonly app: TokenStrategy;
  private readonly perOrganization = new Map<string, TokenStrategy>();

  constructor(
    private readonly http: HttpClient,
    private readonly authUrl: string,
    private readonly creds: BookingtimeCredentials,
    private readonly tokens: ConnectionTokens,
  ) {
    this.refresh = clientCredentialsStrategy(http, authUrl, creds);
    this.app = accessTokenStrategy({ http, authUrl, creds, tokens, refresh: this.refresh, organizationId: null });
  }

  /** The strategy of the access token bound to `organizationId`. */
  organization(organizationId: string): TokenStrategy {
    let s = this.perOrganization.get(organizationId);
    if (!s) {
      s = accessTokenStrategy({ http: this.http, authUrl: this.authUrl, creds: this.creds, tokens: this.tokens, refresh: this.refresh, organizationId });
      this.perOrganization.set(organizationId, s);
    }
    return s;
  }
}
