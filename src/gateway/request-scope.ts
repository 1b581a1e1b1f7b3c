import type { Tenant } from '../auth/tenants.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/enums.js';
import type { CircuitSnapshot } from '../connectors/breaker.js';
import { asProviderError, type ProviderError } from '../connectors/errors.js';
import { CallDeadlines } from '../connectors/http.js';
import type { Provider } from '../connectors/platforms.js';
import type { Connector } from '../connectors/types.js';
import type { ConnectorHub } from './connector-hub.js';
import { GatewayError, needsReauth, toClientError } from './errors.js';
import { decodeId, type GlobalId, type NodeType } from './ids.js';
import { type ConnectionLoaders, RequestLoaders } from './loaders.js';

/** A platform that failed during a read: reported per connection, the rest of the answer stands. */
export interface ProviderFailure {
  connection: ConnectionRecord;
  error: ProviderError;
}

/** Per-request state: who asks, the request's DataLoaders, and where partial failures go. */
export interface RequestScope {
  tenant: Tenant;
  loaders: RequestLoaders;
  /**
   * Work done once per request and shared by every field: the tenant's connections, and the
   * deadline of each connection's platform calls (one `PROVIDER_TIMEOUT_MS` per connection per request).
   */
  memo: { connections?: Promise<ConnectionRecord[]>; deadlines: CallDeadlines };
  onFailure(failure: ProviderFailure): void;
}

/** A connection a read may ask, with its connector. */
export interface ReadableConnection {
  record: ConnectionRecord;
  connector: Connector;
}

/**
 * The tenant's connections as one request sees them: listed once per request, filtered to what may
 * be read, and global IDs checked against them (an ID of another tenant is an unknown ID).
 */
export class TenantConnections {
  constructor(private readonly deps: { connections: ConnectionRepository; hub: ConnectorHub }) {}

  newScope(tenant: Tenant, onFailure: (f: ProviderFailure) => void): RequestScope {
    const deadlines = new CallDeadlines(this.deps.hub.providerTimeoutMs);
    return { tenant, loaders: new RequestLoaders(deadlines), memo: { deadlines }, onFailure };
  }

  /** The state of a connection's circuit breaker (ProviderConnection.circuit). */
  circuit(connectionId: string): CircuitSnapshot {
    return this.deps.hub.circuit(connectionId);
  }

  list(s: RequestScope): Promise<ConnectionRecord[]> {
    s.memo.connections ??= this.deps.connections.listForTenant(s.tenant.id);
    return s.memo.connections;
  }

  /**
   * The connections a read should ask, in id order: ACTIVE ones, optionally of some providers.
   * NEEDS_REAUTH connections are reported (code NEEDS_REAUTH) without calling the platform.
   */
  async readable(s: RequestScope, providers?: readonly Provider[] | null): Promise<ReadableConnection[]> {
    const out: ReadableConnection[] = [];
    for (const record of await this.list(s)) {
      if (providers?.length && !providers.includes(record.provider)) continue;
      if (record.status === ConnectionStatus.NEEDS_REAUTH) {
        s.onFailure({ connection: record, error: needsReauth(record) });
        continue;
      }
      if (record.status === ConnectionStatus.ACTIVE) out.push({ record, connector: this.deps.hub.connector(record) });
    }
    return out.sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
  }

  /** The request's loaders of a connection; throws the NEEDS_REAUTH ProviderError when it waits for a person. */
  loadersFor(s: RequestScope, record: ConnectionRecord): ConnectionLoaders {
    if (record.status === ConnectionStatus.NEEDS_REAUTH) throw needsReauth(record);
    return s.loaders.for(record, this.deps.hub.connector(record));
  }

  /** Decodes a global ID of `type` that must belong to the tenant; throws BAD_USER_INPUT otherwise. */
  async resolveId(s: RequestScope, id: string, type: NodeType, argName: string): Promise<{ gid: GlobalId } & ReadableConnection> {
    const gid = decodeId(id);
    const record = gid && gid.type === type ? (await this.list(s)).find((c) => c.id === gid.connectionId && c.provider === gid.provider) : undefined;
    if (!gid || !record) throw new GatewayError('BAD_USER_INPUT', `\`${argName}\` is not the ID of a ${type} you can access`);
    if (record.status === ConnectionStatus.NEEDS_REAUTH) throw toClientError(needsReauth(record), record.provider, 'read');
    if (record.status !== ConnectionStatus.ACTIVE) {
      throw new GatewayError('BAD_USER_INPUT', `the connection of \`${argName}\` is ${record.status.toLowerCase()}`, { provider: record.provider });
    }
    return { gid, record, connector: this.deps.hub.connector(record) };
  }
}

/**
 * Runs `work` on one connection of a read within the request's deadline for that connection; a
 * failure is reported and becomes `fallback`. Returns by the deadline (plus a few ms for the call's
 * own deadline error to come first) even if something other than a platform call (a lock, a store)
 * still waits.
 */
export async function guarded<T>(s: RequestScope, record: ConnectionRecord, operation: string, fallback: T, work: () => Promise<T>): Promise<T> {
  try {
    return await s.memo.deadlines.bounded(record.id, record.provider, operation, work);
  } catch (err) {
    s.onFailure({ connection: record, error: asProviderError(err, record.provider, operation) });
    return fallback;
  }
}

/**
 * Runs a platform call of a write or single lookup; a failure becomes the client error. With the
 * request's scope, its calls share the connection's deadline with the rest of the request; without
 * (writes), each HTTP call has a deadline of its own.
 */
export async function platformCall<T>(record: ConnectionRecord, operation: string, work: () => Promise<T>, s?: RequestScope): Promise<T> {
  try {
    return await (s ? s.memo.deadlines.bounded(record.id, record.provider, operation, work) : work());
  } catch (err) {
    throw toClientError(err, record.provider, operation);
  }
}
