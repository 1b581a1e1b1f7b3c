import 'reflect-metadata';
import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError, type GraphQLFormattedError, type GraphQLResolveInfo } from 'graphql';
import type { TracerProvider } from '@opentelemetry/api';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../../resolvers/context.js';
import { topics } from '../events/topics.js';
import { TenantService, type Tenant } from '../auth/tenants.js';
import type { Config } from '../config/config.js';
import { ConnectionRepository, type ConnectionRecord } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/enums.js';
import { type EventBus, MemoryEventBus } from '../events/bus.js';
import { DeliveryQueue } from '../events/delivery.js';
import { EventIntake } from '../events/intake.js';
import { Poller } from '../events/poller.js';
import { SubscriptionRepository } from '../events/subscriptions.js';
import { WebhookService } from '../events/webhooks.js';
import { ConnectorHub } from '../gateway/connector-hub.js';
import { GrantKeepAlive } from '../gateway/keepalive.js';
import { storeSharedCache } from '../gateway/shared-cache.js';
import { ConsentFlow } from '../gateway/consent.js';
import { CursorCodec } from '../gateway/cursors.js';
import { ConnectionLifecycle } from '../gateway/lifecycle.js';
import { Reads } from '../gateway/reads.js';
import { type ProviderFailure, TenantConnections } from '../gateway/request-scope.js';
import { Writes } from '../gateway/writes.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import { TokenManager } from '../tokens/token-manager.js';
import { createObservability, type Observability } from '../observability/observability.js';
import { bindUnit, requestTelemetry, type RequestTelemetry } from '../observability/request-telemetry.js';
import { configureTracing } from '../observability/tracing.js';
import { formatError } from './errors.js';
import { limitsParseOptions, operationLimitsPlugin } from './limits.js';
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
  scopes: TenantConnections;
  reads: Reads;
  writes: Writes;
  lifecycle: ConnectionLifecycle;
  consent: ConsentFlow;
  events: EventBus;
  webhooks: WebhookService;
  subscriptions: SubscriptionRepository;
  intake: EventIntake;
  /** Background work: polling watched connections, working the delivery queues. */
  poller: Poller;
  deliveries: DeliveryQueue;
  keepAlive: GrantKeepAlive;
  /** Metrics (`/metrics`), traces and the request log. */
  observability: Observability;
  log: Logger;
}

export function createServices(
  config: Config,
  store: Store,
  box: SecretBox,
  log: Logger,
  events: EventBus = new MemoryEventBus(),
  opts: { sandbox?: boolean; clock?: () => number; tracerProvider?: TracerProvider } = {},
): Services {
  const tenants = new TenantService(store);
  const observability = createObservability({
    log,
    tracerProvider: opts.tracerProvider,
    sources: {
      async connections() {
        const all = await Promise.all((await tenants.list()).map((t) => connections.listForTenant(t.id)));
        return all.flat();
      },
      circuit: (id) => hub.circuit(id),
      events: () => intake.stats,
    },
  });
  // Registers the OTEL_* exporter as the global tracer provider (once per process); spans started
  // before it is ready are no-ops.
  configureTracing(config, log).catch((err: unknown) => log.warn({ err }, 'tracing could not be set up'));
  const connections = new ConnectionRepository(store, box, events);
  const publishStatus = (c: ConnectionRecord) => events.publish(topics.connectionStatus(c.tenantId), c);
  const tokens = new TokenManager(
    store,
    box,
    {
      async onRenewed(connectionId, summary) {
        // A grant obtained while connecting has no record yet: `update` then does nothing, and the
        // lifecycle writes these fields when it stores the record.
        await connections.update(connectionId, () => ({
          lastRefreshedAt: summary.lastRefreshedAt === null ? null : new Date(summary.lastRefreshedAt).toISOString(),
          accessTokenExpiresAt: summary.accessTokenExpiresAt === null ? null : new Date(summary.accessTokenExpiresAt).toISOString(),
        }));
      },
      async onGrantRevoked(connectionId, reason) {
        const current = await connections.get(connectionId);
        if (!current || current.status === ConnectionStatus.NEEDS_REAUTH || current.status === ConnectionStatus.DISCONNECTED) return;
        const updated = await connections.update(connectionId, () => ({ status: ConnectionStatus.NEEDS_REAUTH, statusReason: reason }));
        log.warn({ connectionId, provider: current.provider }, 'connection needs re-authorization');
        if (updated) publishStatus(updated);
      },
    },
    opts.clock,
    { cooldownMs: config.tokenRenewCooldownMs, onRenewal: observability.tokenRenewal },
  );
  const hub = new ConnectorHub(config, connections, tokens, store.backend === 'redis' ? storeSharedCache(store) : undefined, {
    http: observability.http,
    cacheLookup: observability.cacheLookup,
  });
  const scopes = new TenantConnections({ connections, hub });
  const reads = new Reads({ scopes, maxPageSize: config.maxPageSize, cursors: CursorCodec.fromSecretBox(box) });
  const writes = new Writes({ store, scopes });
  const lifecycle = new ConnectionLifecycle({
    connections,
    hub,
    tokens,
    onChanged: publishStatus,
    beforeDisconnect: (record) => webhooks.releaseConnection(record),
    onDeleted: (record) => webhooks.dropConnection(record),
  });
  const consent = new ConsentFlow({
    store,
    box,
    connections,
    hub,
    lifecycle,
    publicUrl: () => config.publicUrl ?? `http://127.0.0.1:${config.port}`,
    onConnectionChanged: publishStatus,
  });
  const subscriptions = new SubscriptionRepository(store, box);
  const deliveries = new DeliveryQueue({
    store,
    log,
    options: {
      retryWindowMs: config.webhookRetryWindowMs,
      baseDelayMs: config.webhookRetryBaseMs,
      maxDelayMs: 3_600_000,
      timeoutMs: config.webhookTimeoutMs,
      allowPrivateTargets: opts.sandbox ?? false,
      tickMs: Math.min(1_000, config.webhookRetryBaseMs),
    },
    onAttempt: observability.deliveryAttempt,
    async target(subscriptionId) {
      const sub = await subscriptions.get(subscriptionId);
      return sub?.targetUrl ? { url: sub.targetUrl, secrets: subscriptions.signingSecrets(sub) } : null;
    },
  });
  const intake = new EventIntake({ store, bus: events, subscriptions, deliveries, invalidate: (id) => hub.invalidateResponses(id), log });
  const connector = (record: ConnectionRecord) => hub.connector(record);
  const poller = new Poller({ store, subscriptions, connections, connector, intake, intervalMs: config.pollIntervalMs, log });
  const keepAlive = new GrantKeepAlive({
    store,
    tenants,
    connections,
    connector,
    intervalMs: config.grantKeepAliveIntervalMs,
    aheadMs: config.grantRenewAheadMs,
    log,
  });
  const webhooks = new WebhookService({
    subscriptions,
    connections,
    connector,
    intake,
    poller,
    deliveries,
    allowPrivateTargets: opts.sandbox ?? false,
    publicUrl: () => config.publicUrl ?? `http://127.0.0.1:${config.port}`,
    log,
  });
  return {
    config,
    store,
    box,
    tenants,
    connections,
    tokens,
    hub,
    scopes,
    reads,
    writes,
    lifecycle,
    consent,
    events,
    webhooks,
    subscriptions,
    intake,
    poller,
    deliveries,
    keepAlive,
    observability,
    log,
  };
}

interface RecordedFailure {
  failure: ProviderFailure;
  path: ReadonlyArray<string | number>;
}

/** What Apollo's plugins see of a request: the resolvers' context, its failures and its telemetry. */
export type GatewayContext = GraphQLContext & { failures: RecordedFailure[]; telemetry: RequestTelemetry };

/** Per-request context: the tenant, failures collected for `errors`, and what observability learns. */
export function createContext(services: Services, tenant: Tenant): GatewayContext {
  const failures: RecordedFailure[] = [];
  const telemetry = requestTelemetry(tenant.id);
  let { loaders, memo } = services.scopes.newScope(tenant, () => undefined);
  bindUnit(memo.deadlines, telemetry);
  return {
    tenant,
    reads: services.reads,
    writes: services.writes,
    lifecycle: services.lifecycle,
    consent: services.consent,
    events: services.events,
    webhooks: services.webhooks,
    failures,
    telemetry,
    renew() {
      ({ loaders, memo } = services.scopes.newScope(tenant, () => undefined));
      bindUnit(memo.deadlines, telemetry);
      failures.length = 0;
    },
    // Called per field: it only captures `info.path`; the path array is built when a failure is reported.
    scopeAt(info: GraphQLResolveInfo) {
      return {
        tenant,
        loaders,
        memo,
        onFailure: (failure) => {
          const path: Array<string | number> = [];
          for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
          failures.push({ failure, path });
          telemetry.platforms.add(failure.connection.provider);
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

export function createApollo(services: Services, httpServer: Server): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    schema: buildGatewaySchema(),
    introspection: services.config.introspection,
    csrfPrevention: true,
    parseOptions: limitsParseOptions(services.config.limits),
    includeStacktraceInErrorResponses: false,
    // The process owns SIGINT/SIGTERM (src/cli.ts drains everything, emulators and store included).
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatError(formatted, error, (err) => services.log.error({ err }, 'unexpected error in a resolver')),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No HTTP cache hints are served; without this plugin Apollo does not wrap every resolver.
      ApolloServerPluginCacheControlDisabled(),
      subscriptionsOverWebSocketPlugin(),
      operationLimitsPlugin({ ...services.config.limits, maxPageSize: services.config.maxPageSize }),
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
      // After the plugin above: they see the platform failures among the errors.
      ...services.observability.plugins<GatewayContext>(),
    ],
  });
}

/**
 * A subscription sent as an HTTP request gets a clear 400 naming where subscriptions are served,
 * instead of being executed as a query (which cannot work: its root value comes from the event stream).
 */
export function subscriptionsOverWebSocketPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError('Subscriptions are served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP requests', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        },
      };
    },
  };
}

export { HeaderMap };
