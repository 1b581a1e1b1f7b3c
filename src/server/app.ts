import 'reflect-metadata';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLError, GraphQLFormattedError, GraphQLResolveInfo } from 'graphql';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../../resolvers/context.js';
import { topics } from '../../resolvers/subscription.resolver.js';
import { TenantService, type Tenant } from '../auth/tenants.js';
import type { Config } from '../config/config.js';
import { ConnectionRepository, type ConnectionRecord } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/provider.js';
import { connectorModules } from '../connectors/registry.js';
import { type EventBus, MemoryEventBus } from '../events/bus.js';
import { ConnectorHub } from '../gateway/connector-hub.js';
import { Gateway, type ProviderFailure } from '../gateway/gateway.js';
import { OAuthFlow } from '../gateway/oauth-flow.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import { TokenManager } from '../tokens/token-manager.js';
import { formatError } from './errors.js';
import { buildGatewaySchema } from './schema.js';

/** Everything the gateway is made of, wired once (the composition root). */
export interface Services {
  config: Config;
  store: Store;
  box: SecretBox;
  tenants: TenantService;
  connections: ConnectionRepository;
  tokens: TokenManager;
  hub: ConnectorHub;
  gateway: Gateway;
  oauth: OAuthFlow;
  events: EventBus;
  log: Logger;
}

export function createServices(config: Config, store: Store, box: SecretBox, log: Logger): Services {
  const events = new MemoryEventBus();
  const tenants = new TenantService(store);
  const connections = new ConnectionRepository(store, box);
  const publishStatus = (c: ConnectionRecord) => events.publish(topics.connectionStatus(c.tenantId), c);
  const tokens = new TokenManager(store, box, {
    async onRenewed(connectionId, name, set) {
      await connections.update(connectionId, () => ({
        lastRefreshedAt: new Date(set.obtainedAt).toISOString(),
        // Connectors name long-lived grant tokens `refresh`; every other name is an access token.
        ...(name !== 'refresh' && set.expiresAt ? { accessTokenExpiresAt: new Date(set.expiresAt).toISOString() } : {}),
      }));
    },
    async onGrantRevoked(connectionId, reason) {
      const current = await connections.get(connectionId);
      if (!current || current.status === ConnectionStatus.NEEDS_REAUTH || current.status === ConnectionStatus.DISCONNECTED) return;
      const updated = await connections.update(connectionId, () => ({ status: ConnectionStatus.NEEDS_REAUTH, statusReason: reason }));
      log.warn({ connectionId, provider: current.provider }, 'connection needs re-authorization');
      if (updated) publishStatus(updated);
    },
  });
  const hub = new ConnectorHub(config, connections, tokens, connectorModules);
  const gateway = new Gateway({ store, connections, hub, tokens, maxPageSize: config.maxPageSize, onConnectionChanged: publishStatus });
  const oauth = new OAuthFlow({
    store,
    box,
    connections,
    hub,
    publicUrl: () => config.publicUrl ?? `http://127.0.0.1:${config.port}`,
    onConnectionChanged: publishStatus,
  });
  return { config, store, box, tenants, connections, tokens, hub, gateway, oauth, events, log };
}

interface RecordedFailure {
  failure: ProviderFailure;
  path: ReadonlyArray<string | number>;
}

/** Per-request context: the tenant, and failures collected for `errors`. */
export function createContext(services: Services, tenant: Tenant): GraphQLContext & { failures: RecordedFailure[] } {
  const failures: RecordedFailure[] = [];
  const base = services.gateway.newScope(tenant, () => undefined);
  return {
    tenant,
    gateway: services.gateway,
    oauth: services.oauth,
    events: services.events,
    failures,
    scopeAt(info: GraphQLResolveInfo) {
      const path: Array<string | number> = [];
      for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
      return {
        ...base,
        onFailure: (failure) => {
          failures.push({ failure, path });
          const { error, connection } = failure;
          services.log.warn(
            { tenantId: tenant.id, connectionId: connection.id, provider: error.provider, operation: error.operation, code: error.code, status: error.status },
            error.message,
          );
        },
      };
    },
  };
}

/** One GraphQL error per failed connection and field: the rest of the answer stands. */
export function failuresToErrors(failures: RecordedFailure[]): GraphQLFormattedError[] {
  const seen = new Set<string>();
  const out: GraphQLFormattedError[] = [];
  for (const { failure, path } of failures) {
    const key = `${failure.connection.id}|${path.join('.')}|${failure.error.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      message: failure.error.message,
      path,
      extensions: {
        code: failure.error.code,
        provider: failure.connection.provider,
        connectionId: failure.connection.id,
        ...(failure.error.retryAfterSeconds !== undefined ? { retryAfterSeconds: failure.error.retryAfterSeconds } : {}),
      },
    });
  }
  return out;
}

export function createApollo(services: Services, httpServer: Server): ApolloServer<GraphQLContext & { failures: RecordedFailure[] }> {
  return new ApolloServer<GraphQLContext & { failures: RecordedFailure[] }>({
    schema: buildGatewaySchema(),
    introspection: services.config.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // The process owns SIGINT/SIGTERM (src/cli.ts drains everything, emulators and store included).
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatError(formatted, error, (err) => services.log.error({ err }, 'unexpected error in a resolver')),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue }) {
              if (response.body.kind !== 'single' || contextValue.failures.length === 0) return;
              const extra = failuresToErrors(contextValue.failures);
              const result = response.body.singleResult;
              result.errors = [...(result.errors ?? []), ...(extra as GraphQLError[])];
            },
          };
        },
      },
    ],
  });
}

export { HeaderMap };
