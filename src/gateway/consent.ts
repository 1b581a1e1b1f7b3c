import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { calculatePKCECodeChallenge, generateRandomCodeVerifier } from 'oauth4webapi';
import type { Tenant } from '../auth/tenants.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/enums.js';
import { asProviderError } from '../connectors/errors.js';
import { displayName, platformOf, type Provider } from '../connectors/platforms.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import type { ConnectorHub } from './connector-hub.js';
import { GatewayError } from './errors.js';
import type { ConnectionLifecycle } from './lifecycle.js';

/** How long a consent request (its `state`, its start link and its browser cookie) stays usable, ms. */
export const STATE_TTL_MS = 600_000;

/** The prefix of the cookie that binds a flow to the browser that opened its start link. */
export const CONSENT_COOKIE_PREFIX = 'bookgraph_consent_';

interface PendingAuthorization {
  tenantId: string;
  connectionId: string;
  provider: Provider;
  redirectUri: string;
  codeVerifier?: string;
  createdAt: number;
  /** The connection asked to write (`startConnection(write: true)`). */
  write?: boolean;
  /** The cookie the browser that opened the start link holds, and the SHA-256 of its value. */
  cookieName: string;
  cookieHash: string;
  /** The store key of the start link, removed with the state. */
  startKey?: string;
}

/** The start link's record: where it sends the browser and the cookie it gives it. */
interface StartLink {
  provider: Provider;
  platformUrl: string;
  cookieName: string;
  cookieValue: string;
  createdAt: number;
  opened: boolean;
}

/** What the callback page tells the person; `clearCookie` names the flow's cookie to drop. */
export interface CallbackOutcome {
  status: number;
  title: string;
  message: string;
  connection?: ConnectionRecord;
  clearCookie?: string;
}

/**
 * What `GET /oauth/start/<id>` answers: a redirect to the platform with the `Set-Cookie` that binds the
 * flow to this browser (`cookie` is the `name=value` pair the browser will send back), or a page.
 */
export type StartOutcome =
  { kind: 'redirect'; location: string; setCookie: string; cookie: string } | { kind: 'page'; status: number; title: string; message: string };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4), or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether `value` is the one whose SHA-256 is `hash`, compared in constant time. */
function matchesHash(value: string | null, hash: string): boolean {
  if (!value || !/^[0-9a-f]{64}$/.test(hash)) return false;
  return timingSafeEqual(Buffer.from(sha256(value), 'hex'), Buffer.from(hash, 'hex'));
}

const INVALID_LINK = 'This link is not valid';

/**
 * The gateway side of the OAuth authorization-code flow (RFC 6749 §4.1, §10.12; RFC 7636):
 * `start` makes a PENDING connection, a random single-use `state` bound to tenant and connection
 * (stored hashed, its record encrypted, expiring after 10 minutes), for PKCE platforms a verifier
 * kept server-side, and a start link on the gateway (`/oauth/start/<id>`, unguessable);
 * `open` (the start link) gives the browser that opens it first a cookie bound to the state (random,
 * its hash kept with the flow) and sends it to the platform; `complete` (the callback) requires the
 * state at its own platform's callback and that cookie — otherwise it refuses without consuming the
 * state — then exchanges the code through the platform's connector and lands the grant
 * (`ConnectionLifecycle.land`: on the tenant's connection of the same account when there is one),
 * or marks the connection ERROR. So whoever gets hold of a tenant's link in another browser cannot
 * connect their own account to that tenant (login CSRF of the connect flow).
 */
export class ConsentFlow {
  constructor(
    private readonly deps: {
      store: Store;
      box: SecretBox;
      connections: ConnectionRepository;
      hub: ConnectorHub;
      lifecycle: ConnectionLifecycle;
      publicUrl: () => string;
      onConnectionChanged?: (c: ConnectionRecord) => void;
    },
  ) {}

  redirectUri(provider: Provider): string {
    return `${this.deps.publicUrl()}/oauth/callback/${platformOf(provider).slug}`;
  }

  private stateKey(state: string): string {
    return `oauth-state:${sha256(state)}`;
  }

  private startKey(id: string): string {
    return `oauth-start:${sha256(id)}`;
  }

  /** `Secure` when the gateway's public URL is https (a cookie for plain-HTTP local use works without). */
  private cookieAttributes(maxAgeSeconds: number): string {
    const secure = this.deps.publicUrl().startsWith('https:') ? '; Secure' : '';
    return `Max-Age=${maxAgeSeconds}; Path=/oauth; HttpOnly; SameSite=Lax${secure}`;
  }

  /** The `Set-Cookie` header value that drops cookie `name`. */
  clearCookieHeader(name: string): string {
    return `${name}=; ${this.cookieAttributes(0)}`;
  }

  /**
   * Starts a consent request. With `connectionId` (or `opts.reauthorize`), an existing connection of
   * the tenant (say one in NEEDS_REAUTH) goes back to PENDING and keeps its id, so global IDs of its
   * records stay valid.
   */
  async start(
    tenant: Tenant,
    provider: Provider,
    sandbox: boolean,
    opts: { connectionId?: string | null; reauthorize?: ConnectionRecord; write?: boolean } = {},
  ): Promise<{ authorizeUrl: string; startId: string; connection: ConnectionRecord }> {
    const module = this.deps.hub.module(provider);
    const name = displayName(provider);
    if (!module.oauth) throw new GatewayError('BAD_USER_INPUT', `${name} is not connected through a consent screen: use connectProvider with credentials`);
    const app = this.deps.hub.app(provider);
    if (!app.clientId || !app.clientSecret) {
      throw new GatewayError('BAD_USER_INPUT', `${name} has no app credentials configured: set ${provider}_CLIENT_ID and ${provider}_CLIENT_SECRET`);
    }
    const existing = opts.connectionId ? await this.deps.lifecycle.named(tenant, provider, opts.connectionId) : opts.reauthorize;
    if (existing && (existing.tenantId !== tenant.id || existing.provider !== provider)) {
      throw new GatewayError('BAD_USER_INPUT', 'that connection cannot be re-authorized by this tenant for this platform');
    }
    if (opts.connectionId && existing?.status === ConnectionStatus.ACTIVE) {
      throw new GatewayError('BAD_USER_INPUT', 'that connection is ACTIVE: nothing to re-authorize');
    }
    const connection =
      existing ??
      (await this.deps.connections.create({
        tenantId: tenant.id,
        provider,
        status: ConnectionStatus.PENDING,
        sandbox,
        label: null,
        settings: {},
        credentials: undefined,
      }));
    if (existing) {
      await this.deps.connections.update(existing.id, () => ({ status: ConnectionStatus.PENDING, sandbox }));
    }
    await this.deps.connections.update(connection.id, () => ({ statusReason: 'Waiting for a person to give consent on the platform' }));
    const state = randomBytes(32).toString('base64url');
    const redirectUri = this.redirectUri(provider);
    const codeVerifier = module.oauth.pkce ? generateRandomCodeVerifier() : undefined;
    const codeChallenge = codeVerifier ? await calculatePKCECodeChallenge(codeVerifier) : undefined;
    const write = opts.write ?? false;
    const ctx = this.deps.hub.context({ id: connection.id, provider, sandbox, credentials: {}, settings: {} });
    const platformUrl = module.oauth.authorizeUrl(ctx, { state, redirectUri, codeChallenge, write });
    const createdAt = Date.now();
    const startId = randomBytes(32).toString('base64url');
    const startKey = this.startKey(startId);
    const cookieName = `${CONSENT_COOKIE_PREFIX}${randomBytes(9).toString('base64url')}`;
    const cookieValue = randomBytes(32).toString('base64url');
    const pending: PendingAuthorization = {
      tenantId: tenant.id,
      connectionId: connection.id,
      provider,
      redirectUri,
      codeVerifier,
      createdAt,
      write,
      cookieName,
      cookieHash: sha256(cookieValue),
      startKey,
    };
    const link: StartLink = { provider, platformUrl, cookieName, cookieValue, createdAt, opened: false };
    const key = this.stateKey(state);
    await this.deps.store.set(key, this.deps.box.sealJson(pending, key), STATE_TTL_MS);
    await this.deps.store.set(startKey, this.deps.box.sealJson(link, startKey), STATE_TTL_MS);
    const stored = (await this.deps.connections.get(connection.id)) ?? connection;
    return { authorizeUrl: `${this.deps.publicUrl()}/oauth/start/${startId}`, startId, connection: stored };
  }

  /**
   * `GET /oauth/start/<id>`: the first browser to open the link gets the flow's cookie (HttpOnly,
   * SameSite=Lax, Path=/oauth, for what is left of the flow's lifetime; Secure with an https public
   * URL) and a redirect to the platform's consent page. The same browser (holding the cookie) may open
   * it again until the flow ends; any other gets 410. Unknown or expired ids get 404.
   */
  async open(startId: string, cookieHeader?: string): Promise<StartOutcome> {
    const gone = {
      kind: 'page',
      status: 404,
      title: INVALID_LINK,
      message: 'This sign-in link is unknown or has expired. Start connecting again from your application.',
    } as const;
    if (!/^[A-Za-z0-9_-]{20,128}$/.test(startId)) return gone;
    const key = this.startKey(startId);
    return this.deps.store.withLock(key, async () => {
      const sealed = await this.deps.store.get<string>(key);
      if (!sealed) return gone;
      const link = this.deps.box.openJson<StartLink>(sealed, key);
      const leftMs = link.createdAt + STATE_TTL_MS - Date.now();
      if (leftMs <= 0) return gone;
      const cookie = `${link.cookieName}=${link.cookieValue}`;
      if (link.opened && cookieValue(cookieHeader, link.cookieName) !== link.cookieValue) {
        return {
          kind: 'page',
          status: 410,
          title: INVALID_LINK,
          message: 'This sign-in link was already opened in another browser. Start connecting again from your application in this browser.',
        } as const;
      }
      if (!link.opened) await this.deps.store.set(key, this.deps.box.sealJson({ ...link, opened: true }, key), leftMs);
      return { kind: 'redirect', location: link.platformUrl, cookie, setCookie: `${cookie}; ${this.cookieAttributes(Math.ceil(leftMs / 1000))}` } as const;
    });
  }

  /**
   * Takes the state out of the store (single use) when it is presented at its own platform's callback
   * by the browser holding the flow's cookie; otherwise leaves it in place (the genuine callback still
   * works) and says why.
   */
  private async consume(
    state: string,
    provider: Provider,
    cookieHeader: string | undefined,
  ): Promise<{ pending: PendingAuthorization } | { refused: string; clearCookie?: string }> {
    const unknown = { refused: 'The sign-in request is unknown, was already used, or has expired. Start connecting again from your application.' };
    if (!state || state.length > 512) return unknown;
    const key = this.stateKey(state);
    return this.deps.store.withLock(key, async () => {
      const sealed = await this.deps.store.get<string>(key);
      if (!sealed) return unknown;
      const pending = this.deps.box.openJson<PendingAuthorization>(sealed, key);
      if (Date.now() - pending.createdAt > STATE_TTL_MS) return unknown;
      if (pending.provider !== provider) {
        return { refused: `This sign-in was started for ${displayName(pending.provider)}, not ${displayName(provider)}.` };
      }
      if (!pending.cookieName || !matchesHash(cookieValue(cookieHeader, pending.cookieName), pending.cookieHash)) {
        return {
          refused:
            'This sign-in was started in another browser (or its link was not opened through the gateway): finish it in the browser that opened the link, or start connecting again.',
        };
      }
      await this.deps.store.delete(key);
      if (pending.startKey) await this.deps.store.delete(pending.startKey);
      return { pending };
    });
  }

  /**
   * Handles the platform's redirect to `/oauth/callback/<provider>` with its query parameters and the
   * browser's `Cookie` header. A refused state (unknown, another platform's, another browser's) is a
   * 400 page and leaves the flow as it is; a code the platform refuses is a 400 page with its reason.
   */
  async complete(provider: Provider, params: URLSearchParams, cookieHeader?: string): Promise<CallbackOutcome> {
    const name = displayName(provider);
    const taken = await this.consume(params.get('state') ?? '', provider, cookieHeader);
    if ('refused' in taken) return { status: 400, title: INVALID_LINK, message: taken.refused };
    const { pending } = taken;
    const clearCookie = pending.cookieName;
    const record = await this.deps.connections.get(pending.connectionId);
    if (!record || record.tenantId !== pending.tenantId || record.status !== ConnectionStatus.PENDING) {
      return { status: 400, title: INVALID_LINK, message: 'The connection this sign-in belongs to no longer waits for consent.', clearCookie };
    }
    const error = params.get('error');
    if (error) {
      const reason =
        error === 'access_denied'
          ? `Access was declined on ${name}: connect again and choose Allow to use this platform`
          : `${name} refused the authorization (${error.slice(0, 64)}${params.get('error_description') ? `: ${params.get('error_description')?.slice(0, 200)}` : ''})`;
      const failed = await this.setStatus(record.id, ConnectionStatus.ERROR, reason);
      return { status: 200, title: `${name} was not connected`, message: reason, connection: failed, clearCookie };
    }
    const code = params.get('code');
    if (!code) {
      const failed = await this.setStatus(record.id, ConnectionStatus.ERROR, `${name} returned no authorization code`);
      return {
        status: 400,
        title: `${name} was not connected`,
        message: 'The platform returned neither a code nor an error.',
        connection: failed,
        clearCookie,
      };
    }
    const ctx = this.deps.hub.context({ id: record.id, provider, sandbox: record.sandbox, credentials: {}, settings: {} });
    let connected;
    try {
      connected = await this.deps.hub
        .module(provider)
        .oauth!.exchangeCode(ctx, { code, redirectUri: pending.redirectUri, codeVerifier: pending.codeVerifier, write: pending.write });
    } catch (err) {
      await ctx.tokens.clear();
      const e = asProviderError(err, provider, 'exchangeCode');
      const failed = await this.setStatus(record.id, ConnectionStatus.ERROR, `${name} did not accept the authorization: ${e.message}`);
      // A refused code (BAD_USER_INPUT: expired, used, forged) is the request's fault: 400 with the
      // platform's reason. The platform failing or unreachable stays a 502.
      const refused = e.code === 'BAD_USER_INPUT';
      return {
        status: refused ? 400 : 502,
        title: `${name} was not connected`,
        message: refused ? `${e.message}. Start connecting again.` : `The platform did not accept the authorization (${e.code}). Start connecting again.`,
        connection: failed,
        clearCookie,
      };
    }
    // A person consenting again for an account the tenant already has connected lands on that
    // connection; the PENDING record made for this flow then goes away.
    const landed = await this.deps.lifecycle.land(record.tenantId, { provider, sandbox: record.sandbox, draftId: record.id, connected });
    return {
      status: 200,
      title: `${name} is connected`,
      message: `Connected ${connected.label} on ${name}. You can close this window.`,
      connection: landed,
      clearCookie,
    };
  }

  private async setStatus(id: string, status: ConnectionStatus, reason: string): Promise<ConnectionRecord | undefined> {
    const updated = await this.deps.connections.update(id, () => ({ status, statusReason: reason }));
    if (updated) this.deps.onConnectionChanged?.(updated);
    return updated;
  }
}
