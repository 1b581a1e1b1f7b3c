import { createHash } from 'node:crypto';
import Keyv from 'keyv';
import type { Config } from '../config/config.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { KeyvConnectorCache } from '../connectors/cache.js';
import { HttpClient } from '../connectors/http.js';
import { platformOf, type Provider } from '../connectors/platforms.js';
import type { Connector, ConnectorContext, ConnectorModule, Endpoints } from '../connectors/types.js';
import type { TokenManager } from '../tokens/token-manager.js';

/**
 * Builds connectors for connections: decrypts credentials, picks the platform's hosts (production,
 * sandbox, or — in sandbox mode — the emulators, through configuration only), and hands each
 * connector its HTTP client, tokens and cache. Connectors are reused per connection until its
 * credentials or settings change.
 */
export class ConnectorHub {
  private readonly instances = new Map<string, { fingerprint: string; connector: Connector }>();
  private readonly cacheStore = new Keyv();

  constructor(
    private readonly config: Config,
    private readonly connections: ConnectionRepository,
    private readonly tokens: TokenManager,
  ) {}

  module(provider: Provider): ConnectorModule<any, any> {
    return platformOf(provider).module;
  }

  endpoints(provider: Provider, sandbox: boolean): Endpoints {
    const p = this.config.platforms[provider];
    return sandbox ? { apiUrl: p.sandboxApiUrl, authUrl: p.sandboxAuthUrl } : { apiUrl: p.apiUrl, authUrl: p.authUrl };
  }

  /** The app's client id and secret from configuration (consent-screen platforms). */
  app(provider: Provider): { clientId?: string; clientSecret?: string } {
    const { clientId, clientSecret } = this.config.platforms[provider];
    return { clientId, clientSecret };
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
      http: new HttpClient({ provider: input.provider, timeoutMs: this.config.providerTimeoutMs }),
      tokens: this.tokens.forConnection(input.id),
      cache: KeyvConnectorCache.memory(`cache:${input.id}`, this.cacheStore),
    };
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
    const fingerprint = createHash('sha256')
      .update(`${record.sealedCredentials}|${JSON.stringify(record.settings)}|${record.sandbox}`)
      .digest('hex');
    const hit = this.instances.get(record.id);
    if (hit && hit.fingerprint === fingerprint) return hit.connector;
    const connector = this.module(record.provider).create(this.contextOf(record));
    this.instances.set(record.id, { fingerprint, connector });
    return connector;
  }

  forget(connectionId: string): void {
    this.instances.delete(connectionId);
  }
}
