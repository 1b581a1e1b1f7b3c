import { ZodError } from 'zod';
import type { Tenant } from '../auth/tenants.js';
import { type ConnectionRecord, type ConnectionRepository, newConnectionId } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/enums.js';
import { asProviderError, type ProviderError } from '../connectors/errors.js';
import { displayName, type Provider } from '../connectors/platforms.js';
import type { Connected } from '../connectors/types.js';
import { GrantRevokedError } from '../tokens/errors.js';
import type { TokenManager } from '../tokens/token-manager.js';
import type { ConnectorHub } from './connector-hub.js';
import { GatewayError, toClientError } from './errors.js';
import { decodeId } from './ids.js';

/**
 * A connection's life: connect with credentials (or repair in place), land a grant on the right
 * record, probe, disconnect and delete. The consent flow (`consent.ts`) uses `land` for the
 * grants people give on a platform's consent screen.
 *
 * Invariant: a tenant has at most one live (not DISCONNECTED) connection per provider and account
 * (`Connected.accountId`); connecting the same account again updates that connection in place, so
 * its records keep their IDs and nothing is listed twice.
 */
export class ConnectionLifecycle {
  constructor(
    private readonly deps: {
      connections: ConnectionRepository;
      hub: ConnectorHub;
      tokens: TokenManager;
      onChanged?: (c: ConnectionRecord) => void;
      /** Before a disconnect revokes the grant: what was registered at the platform for the connection goes (webhooks). */
      beforeDisconnect?: (c: ConnectionRecord) => Promise<void>;
      /** After a connection record was deleted: what hangs off it goes (webhook subscriptions, deliveries). */
      onDeleted?: (c: ConnectionRecord) => Promise<void>;
    },
  ) {}

  /**
   * Connects a server-to-server platform: validates the credentials' shape, checks them with the
   * platform (a real token request) and discovers its organizations. Nothing is stored unless that
   * succeeds. With `connectionId` (or `opts.replace`), that connection of the tenant is repaired in
   * place (new credentials, same record and IDs), whatever its status.
   */
  async connect(
    tenant: Tenant,
    input: { provider: Provider; credentials: unknown; sandbox: boolean; connectionId?: string | null },
    opts: { replace?: ConnectionRecord } = {},
  ): Promise<ConnectionRecord> {
    const module = this.deps.hub.module(input.provider);
    const name = displayName(input.provider);
    if (!module.connect) throw new GatewayError('BAD_USER_INPUT', `${name} is connected through its consent screen: use startConnection`);
    const credentials = parseCredentials(name, () => module.parseCredentials(input.credentials ?? {}));
    const replace = input.connectionId ? await this.named(tenant, input.provider, input.connectionId) : ownedBy(tenant, input.provider, opts.replace);
    // The grant is obtained under a connection id of its own and moved onto the record it belongs to
    // once the platform has said which account it reaches.
    const draftId = newConnectionId();
    const ctx = this.deps.hub.context({ id: draftId, provider: input.provider, sandbox: input.sandbox, credentials, settings: {} });
    let connected: Connected<Record<string, unknown>>;
    try {
      connected = await module.connect(ctx);
    } catch (err) {
      await ctx.tokens.clear();
      if (err instanceof GrantRevokedError)
        throw new GatewayError('BAD_USER_INPUT', `${name} refused the credentials: ${err.reason}`, { provider: input.provider });
      throw toClientError(err, input.provider, 'connect');
    }
    return this.land(tenant.id, { provider: input.provider, sandbox: input.sandbox, draftId, target: replace, connected, credentials });
  }

  /**
   * Puts a newly obtained grant (stored under `draftId`) on its record: `target` when given, else the
   * tenant's live connection of the same provider and account, else a new record with id `draftId`.
   * The record ends ACTIVE with the grant's settings, label and token times. A draft record that
   * is not where the grant landed (a PENDING consent record) is removed.
   */
  async land(
    tenantId: string,
    input: {
      provider: Provider;
      sandbox: boolean;
      draftId: string;
      target?: ConnectionRecord;
      connected: Connected<Record<string, unknown>>;
      credentials?: unknown;
    },
  ): Promise<ConnectionRecord> {
    const { provider, connected, draftId } = input;
    const sameAccount = input.target
      ? undefined
      : (await this.deps.connections.listForTenant(tenantId)).find(
          (c) => c.id !== draftId && c.provider === provider && c.status !== ConnectionStatus.DISCONNECTED && c.accountId === connected.accountId,
        );
    const id = input.target?.id ?? sameAccount?.id ?? draftId;
    if (id !== draftId) {
      await this.deps.tokens.move(draftId, id);
      this.deps.hub.forget(id);
      await this.deps.connections.remove(draftId); // the PENDING consent record, when there is one
    }
    const summary = await this.deps.tokens.forConnection(id).summary();
    const fields: Partial<ConnectionRecord> = {
      status: ConnectionStatus.ACTIVE,
      statusReason: null,
      sandbox: input.sandbox,
      label: connected.label,
      settings: connected.settings,
      accountId: connected.accountId,
      lastRefreshedAt: summary.lastRefreshedAt === null ? null : new Date(summary.lastRefreshedAt).toISOString(),
      accessTokenExpiresAt: summary.accessTokenExpiresAt === null ? null : new Date(summary.accessTokenExpiresAt).toISOString(),
      ...(input.credentials === undefined ? {} : { sealedCredentials: this.deps.connections.sealCredentials(id, input.credentials) }),
    };
    const existing = await this.deps.connections.get(id);
    let stored: ConnectionRecord;
    if (existing) {
      stored = (await this.deps.connections.update(id, () => fields)) ?? existing;
    } else {
      const created = await this.deps.connections.create({
        id,
        tenantId,
        provider,
        status: ConnectionStatus.ACTIVE,
        sandbox: input.sandbox,
        label: connected.label,
        settings: connected.settings,
        credentials: input.credentials,
      });
      stored = (await this.deps.connections.update(id, () => fields)) ?? created;
    }
    this.deps.onChanged?.(stored);
    return stored;
  }

  /**
   * Asks the platform for the connection's organizations: a cheap proof that its grant works.
   * Returns null when it does, else the error (a refused grant has already moved it to NEEDS_REAUTH).
   */
  async probe(record: ConnectionRecord): Promise<ProviderError | null> {
    try {
      await this.deps.hub.connector(record).listOrganizations();
      return null;
    } catch (err) {
      return asProviderError(err, record.provider, 'probe');
    }
  }

  /** The tenant's connection of `provider` that a `connectionId` argument names; BAD_USER_INPUT otherwise. */
  async named(tenant: Tenant, provider: Provider, connectionId: string): Promise<ConnectionRecord> {
    const record = await this.owned(tenant, connectionId);
    if (!record || record.provider !== provider) {
      throw new GatewayError('BAD_USER_INPUT', `\`connectionId\` is not the ID of one of your ${displayName(provider)} connections`);
    }
    return record;
  }

  /** Revokes at the platform where it can, forgets tokens and credentials, marks DISCONNECTED. */
  async disconnect(tenant: Tenant, connectionId: string): Promise<ConnectionRecord> {
    const record = await this.owned(tenant, connectionId);
    if (!record) throw new GatewayError('BAD_USER_INPUT', '`connectionId` is not the ID of a connection you can access');
    let reason: string | null = null;
    if (record.status === ConnectionStatus.ACTIVE) await this.deps.beforeDisconnect?.(record);
    const module = this.deps.hub.module(record.provider);
    if (module.revoke && record.status !== ConnectionStatus.DISCONNECTED) {
      try {
        await module.revoke(this.deps.hub.contextOf(record));
      } catch (err) {
        const name = displayName(record.provider);
        reason = `Disconnected here; revoking at ${name} failed (${asProviderError(err, record.provider, 'revoke').message}), so the grant may still exist there`;
      }
    }
    await this.deps.tokens.forConnection(record.id).clear();
    this.deps.hub.forget(record.id);
    const updated = await this.deps.connections.update(record.id, () => ({
      status: ConnectionStatus.DISCONNECTED,
      statusReason: reason ?? 'Disconnected by the tenant',
      sealedCredentials: null,
      accessTokenExpiresAt: null,
    }));
    if (updated) this.deps.onChanged?.(updated);
    return updated ?? record;
  }

  /**
   * Removes a connection record that is not ACTIVE, with its tokens. False when the ID names no
   * connection of the tenant; BAD_USER_INPUT for an ACTIVE one (disconnect it first).
   */
  async delete(tenant: Tenant, connectionId: string): Promise<boolean> {
    const record = await this.owned(tenant, connectionId);
    if (!record) return false;
    if (record.status === ConnectionStatus.ACTIVE) {
      throw new GatewayError('BAD_USER_INPUT', 'that connection is ACTIVE: disconnect it first (disconnectProvider), then delete it', {
        provider: record.provider,
      });
    }
    await this.deps.tokens.forConnection(record.id).clear();
    this.deps.hub.forget(record.id);
    await this.deps.connections.remove(record.id);
    await this.deps.onDeleted?.(record);
    return true;
  }

  /** The connection a global `ProviderConnection` ID names, when it is the tenant's. */
  private async owned(tenant: Tenant, connectionId: string): Promise<ConnectionRecord | undefined> {
    const gid = decodeId(connectionId);
    return gid?.type === 'ProviderConnection' ? this.deps.connections.getForTenant(tenant.id, gid.connectionId) : undefined;
  }
}

function ownedBy(tenant: Tenant, provider: Provider, record: ConnectionRecord | undefined): ConnectionRecord | undefined {
  return record?.tenantId === tenant.id && record.provider === provider ? record : undefined;
}

/** Runs a connector's credentials parser; a schema mismatch is BAD_USER_INPUT naming every field. */
function parseCredentials(name: string, parse: () => unknown): unknown {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const detail = err.issues.map((i) => `${i.path.join('.') || 'credentials'}: ${i.message}`).join('; ');
    throw new GatewayError('BAD_USER_INPUT', `invalid ${name} credentials: ${detail}`);
  }
}
