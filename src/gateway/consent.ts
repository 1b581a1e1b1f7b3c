import { createHash, randomBytes } from 'node:crypto';
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

/** How long a consent request (its `state`) stays usable. */
export const STATE_TTL_MS = 600_000;

interface PendingAuthorization {
  tenantId: string;
  connectionId: string;
  provider: Provider;
  redirectUri: string;
  codeVerifier?: string;
  createdAt: number;
}

/** What the callback page tells the person. */
export interface CallbackOutcome {
  status: number;
  title: string;
  message: string;
  connection?: ConnectionRecord;
}

/**
 * The gateway side of the OAuth authorization-code flow (RFC 6749 §4.1, RFC 7636):
 * `start` makes a PENDING connection, a random single-use `state` bound to tenant and connection
 * (stored hashed, its record encrypted, expiring after 10 minutes) and, for PKCE platforms, a
 * verifier kept server-side; `complete` checks the state before anything else, exchanges the code
 * through the platform's connector and lands the grant (`ConnectionLifecycle.land`: on the
 * tenant's connection of the same account when there is one), or marks the connection ERROR.
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
    return `oauth-state:${createHash('sha256').update(state).digest('hex')}`;
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
    opts: { connectionId?: string | null; reauthorize?: ConnectionRecord } = {},
  ): Promise<{ authorizeUrl: string; connection: ConnectionRecord }> {
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
    const pending: PendingAuthorization = { tenantId: tenant.id, connectionId: connection.id, provider, redirectUri, codeVerifier, createdAt: Date.now() };
    const key = this.stateKey(state);
    await this.deps.store.set(key, this.deps.box.sealJson(pending, key), STATE_TTL_MS);
    const ctx = this.deps.hub.context({ id: connection.id, provider, sandbox, credentials: {}, settings: {} });
    const authorizeUrl = module.oauth.authorizeUrl(ctx, { state, redirectUri, codeChallenge });
    const stored = (await this.deps.connections.get(connection.id)) ?? connection;
    return { authorizeUrl, connection: stored };
  }

  /** Takes the state out of the store (single use); null when unknown, used or expired. */
  private async consume(state: string): Promise<PendingAuthorization | null> {
    if (!state || state.length > 512) return null;
    const key = this.stateKey(state);
    return this.deps.store.withLock(key, async () => {
      const sealed = await this.deps.store.get<string>(key);
      if (!sealed) return null;
      await this.deps.store.delete(key);
      const pending = this.deps.box.openJson<PendingAuthorization>(sealed, key);
      return Date.now() - pending.createdAt > STATE_TTL_MS ? null : pending;
    });
  }

  /** Handles the platform's redirect to `/oauth/callback/<provider>` with its query parameters. */
  async complete(provider: Provider, params: URLSearchParams): Promise<CallbackOutcome> {
    const name = displayName(provider);
    const pending = await this.consume(params.get('state') ?? '');
    if (!pending || pending.provider !== provider) {
      return {
        status: 400,
        title: 'This link is not valid',
        message: 'The sign-in request is unknown, was already used, or has expired. Start connecting again from your application.',
      };
    }
    const record = await this.deps.connections.get(pending.connectionId);
    if (!record || record.tenantId !== pending.tenantId || record.status !== ConnectionStatus.PENDING) {
      return { status: 400, title: 'This link is not valid', message: 'The connection this sign-in belongs to no longer waits for consent.' };
    }
    const error = params.get('error');
    if (error) {
      const reason =
        error === 'access_denied'
          ? `Access was declined on ${name}: connect again and choose Allow to use this platform`
          : `${name} refused the authorization (${error.slice(0, 64)}${params.get('error_description') ? `: ${params.get('error_description')?.slice(0, 200)}` : ''})`;
      const failed = await this.setStatus(record.id, ConnectionStatus.ERROR, reason);
      return { status: 200, title: `${name} was not connected`, message: reason, connection: failed };
    }
    const code = params.get('code');
    if (!code) {
      const failed = await this.setStatus(record.id, ConnectionStatus.ERROR, `${name} returned no authorization code`);
      return { status: 400, title: `${name} was not connected`, message: 'The platform returned neither a code nor an error.', connection: failed };
    }
    const ctx = this.deps.hub.context({ id: record.id, provider, sandbox: record.sandbox, credentials: {}, settings: {} });
    let connected;
    try {
      connected = await this.deps.hub.module(provider).oauth!.exchangeCode(ctx, { code, redirectUri: pending.redirectUri, codeVerifier: pending.codeVerifier });
    } catch (err) {
      await ctx.tokens.clear();
      const e = asProviderError(err, provider, 'exchangeCode');
      const failed = await this.setStatus(record.id, ConnectionStatus.ERROR, `${name} did not accept the authorization: ${e.message}`);
      return {
        status: 502,
        title: `${name} was not connected`,
        message: `The platform did not accept the authorization (${e.code}). Start connecting again.`,
        connection: failed,
      };
    }
    // A person consenting again for an account the tenant already has connected lands on that
    // connection; the PENDING record made for this flow then goes away.
    const landed = await this.deps.lifecycle.land(record.tenantId, { provider, sandbox: record.sandbox, draftId: record.id, connected });
    return { status: 200, title: `${name} is connected`, message: `Connected ${connected.label} on ${name}. You can close this window.`, connection: landed };
  }

  private async setStatus(id: string, status: ConnectionStatus, reason: string): Promise<ConnectionRecord | undefined> {
    const updated = await this.deps.connections.update(id, () => ({ status, statusReason: reason }));
    if (updated) this.deps.onConnectionChanged?.(updated);
    return updated;
  }
}
