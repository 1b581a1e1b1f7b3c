import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import { CircuitBreaker, type CircuitSnapshot, CircuitState } from '../connectors/breaker.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { ConnectorCacheStore, type SharedCache } from '../connectors/cache.js';
import { HttpClient, type HttpObserver } from '../connectors/http.js';
import { platformOf, type Provider } from '../connectors/platforms.js';
import { DEFAULT_RESPONSE_TTLS, withResponseCache } from '../connectors/response-cache.js';
import type { AppIdentity, Connector, ConnectorContext, ConnectorModule, Endpoints } from '../connectors/types.js';
import type { TokenManager } from '../tokens/token-manager.js';

/**
 * Builds connectors for connections: decrypts credentials, picks the platform's hosts (production,
 * sandbox, or — in sandbox mode — the emulators, through configuration only), and hands each
 * connector its HTTP client, tokens and cache. Connectors are reused per connection until its
 * credentials or settings change, and answer reads from the response cache while fresh.
 */
export class ConnectorHub {
  private readonly instances = new Map<string, { fingerprint: string; connector: Connector }>();
  /** The connector of a record object: a request asks for it per field, the fingerprint is computed once. */
  private readonly byRecord = new WeakMap<ConnectionRecord, Connector>();
  private readonly cacheStore: ConnectorCacheStore;
  /**
   * One circuit breaker per connection, in this process (not shared through the store: each instance
   * learns within a few calls, and sharing would put a store round trip before every platform call).
   */
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly config: Config,
    private readonly connections: ConnectionRepository,
    private readonly tokens: TokenManager,
    /** The second level shared by every instance (see `storeSharedCache`), when there is one. */
    shared?: SharedCache,
    /** Metrics and traces: every HTTP client's calls, and the caches' hits and misses. */
    private readonly observers: { http?: HttpObserver; cacheLookup?: (cache: string, hit: boolean) => void } = {},
  ) {
    this.cacheStore = new ConnectorCacheStore(config.cacheMaxBytes, shared, observers.cacheLookup);
  }

  module(provider: Provider): ConnectorModule<any, any> {
    return platformOf(provider).module;
  }

  endpoints(provider: Provider, sandbox: boolean): Endpoints {
    const p = this.config.platforms[provider];
    return sandbox ? { apiUrl: p.sandboxApiUrl, authUrl: p.sandboxAuthUrl } : { apiUrl: p.apiUrl, authUrl: p.authUrl };
  }

  /** The app's client id, secret and registered name from configuration. */
  app(provider: Provider): AppIdentity {
    const { clientId, clientSecret, appName } = this.config.platforms[provider];
    return { clientId, clientSecret, appName };
  }

  /** The context a connector module works in for connection `id` (also before its record exists). */
  context(input: { id: string; provider: Provider; sandbox: boolean; credentials: unknown; settings: Record<string, unknown> }): ConnectorContext<any, any> {
    return {
      connectionId: input.id,
      provider: input.provider,
      sandbox: input.sandbox,
      endpoints: this.endpoints(input.provider, input.sandbox),
      app: this.app(input.provider),
      credentials: input.credentials,
      settings: input.settings,
      http: new HttpClient({
        provider: input.provider,
        connectionId: input.id,
        breaker: this.breakerOf(input.id),
        timeoutMs: this.config.providerTimeoutMs,
        maxConcurrent: this.config.providerConcurrency,
        queueTimeoutMs: this.config.providerQueueTimeoutMs,
        observer: this.observers.http,
      }),
      tokens: this.tokens.forConnection(input.id, input.provider),
      cache: this.cacheStore.namespace(`connector:${input.id}`),
    };
  }

  /** The deadline of one request's calls on one connection, in ms (`PROVIDER_TIMEOUT_MS`). */
  get providerTimeoutMs(): number {
    return this.config.providerTimeoutMs;
  }

  /** The state of the connection's circuit breaker in this process (CLOSED when it has made no call yet). */
  circuit(connectionId: string): CircuitSnapshot {
    return this.breakers.get(connectionId)?.snapshot() ?? { state: CircuitState.CLOSED, openUntil: null, failures: 0 };
  }

  private breakerOf(connectionId: string): CircuitBreaker | undefined {
    if (this.config.breakerFailures === 0) return undefined;
    let breaker = this.breakers.get(connectionId);
    if (!breaker) {
      breaker = new CircuitBreaker({
        failureThreshold: this.config.breakerFailures,
        windowMs: this.config.breakerWindowMs,
        cooldownMs: this.config.breakerCooldownMs,
      });
      this.breakers.set(connectionId, breaker);
    }
    return breaker;
  }

  /** The context of a stored connection. */
  contextOf(record: ConnectionRecord): ConnectorContext<any, any> {
    return this.context({
      id: record.id,
      provider: record.provider,
      sandbox: record.sandbox,
      credentials: this.connections.credentialsOf(record),
      settings: record.settings,
    });
  }

  /** The connector of a stored connection. */
  connector(record: ConnectionRecord): Connector {
    const memo = this.byRecord.get(record);
    if (memo) return memo;
    const fingerprint = createHash('sha256')
      .update(`${record.sealedCredentials}|${JSON.stringify(record.settings)}|${record.sandbox}`)
      .digest('hex');
    const hit = this.instances.get(record.id);
    let connector = hit?.fingerprint === fingerprint ? hit.connector : undefined;
    if (!connector) {
      if (hit) this.dropCaches(record.id);
      const platform = platformOf(record.provider);
      connector = platform.module.create(this.contextOf(record));
      if (this.config.responseCache) {
        connector = withResponseCache(connector, this.responseCache(record.id), {
          ...DEFAULT_RESPONSE_TTLS,
          ...platform.responseTtls,
        });
      }
      this.instances.set(record.id, { fingerprint, connector });
    }
    this.byRecord.set(record, connector);
    return connector;
  }

  /** Forgets the connection's connector, its circuit and everything cached for it (disconnect, new credentials). */
  forget(connectionId: string): void {
    this.instances.delete(connectionId);
    this.breakers.delete(connectionId);
    this.dropCaches(connectionId);
  }

  /** Drops the connection's cached platform answers (an event made them stale), in every instance. */
  invalidateResponses(connectionId: string): void {
    void this.responseCache(connectionId).invalidatePrefix('');
  }

  /** Drops what the connection's caches hold, the shared second level of its responses included. */
  private dropCaches(connectionId: string): void {
    void this.cacheStore.namespace(`connector:${connectionId}`).invalidatePrefix('');
    void this.responseCache(connectionId).invalidatePrefix('');
  }

  private responseCache(connectionId: string) {
    return this.cacheStore.namespace(`response:${connectionId}`, { shared: true });
  }
}
