import { createHash } from 'node:crypto';
import Keyv from 'keyv';
import type { Config, PlatformKey } from '../config/config.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { KeyvConnectorCache } from '../connectors/cache.js';
import { HttpClient } from '../connectors/http.js';
import type { Provider } from '../connectors/provider.js';
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
    private readonly modules: Partial<Record<Provider, ConnectorModule<any, any>>>,
  ) {}

  module(provider: Provider): ConnectorModule<any, any> | undefined {
    return this.modules[provider];
  }

  supported(): Provider[] {
    return Object.keys(this.modules) as Provider[];
  }

  endpoints(provider: Provider, sandbox: boolean): Endpoints {
    const p = this.config.platforms[provider as PlatformKey];
    return sandbox ? { apiUrl: p.sandboxApiUrl, authUrl: p.sandboxAuthUrl } : { apiUrl: p.apiUrl, authUrl: p.authUrl };
  }

  /** The context a connector module works in for connection `id` (used before the record exists). */
  context(input: {
    id: string;
    provider: Provider;
    sandbox: boolean;
    credentials: unknown;
    settings: Record<string, unknown>;
  }): ConnectorContext<any, any> {
    const platform = this.config.platforms[input.provider as PlatformKey];
    return {
      connectionId: input.id,
      provider: input.provider,
      sandbox: input.sandbox,
      endpoints: this.endpoints(input.provider, input.sandbox),
      app: { clientId: platform.clientId, clientSecret: platform.clientSecret },
      credentials: input.credentials,
      settings: input.settings,
      http: new HttpClient({ provider: input.provider, timeoutMs: this.config.providerTimeoutMs }),
      tokens: this.tokens.forConnection(input.id),
      cache: KeyvConnectorCache.memory(`cache:${input.id}`, this.cacheStore),
    };
  }

  /** The connector of a stored connection (undefined when its platform has no connector). */
  connector(record: ConnectionRecord): Connector | undefined {
    const module = this.modules[record.provider];
    if (!module) return undefined;
    const fingerprint = createHash('sha256')
      .update(`${record.sealedCredentials}|${JSON.stringify(record.settings)}|${record.sandbox}`)
      .digest('hex');
    const hit = this.instances.get(record.id);
    if (hit && hit.fingerprint === fingerprint) return hit.connector;
    const connector = module.create(
      this.context({
        id: record.id,
        provider: record.provider,
        sandbox: record.sandbox,
        credentials: this.connections.credentialsOf(record),
        settings: record.settings,
      }),
    );
    this.instances.set(record.id, { fingerprint, connector });
    return connector;
  }

  forget(connectionId: string): void {
    this.instances.delete(connectionId);
  }
}
