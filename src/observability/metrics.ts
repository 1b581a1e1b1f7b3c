import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the gauges read on each scrape (never on the request path). */
export interface MetricSources {
  /** Every connection's platform and status (read at most once per `gaugeMaxAgeMs`). */
  connections(): Promise<Array<{ id: string; provider: string; status: string }>>;
  /** The state of a connection's circuit breaker in this process. */
  circuit(connectionId: string): { state: string };
  /** Booking events since start: published, and dropped as already seen. */
  events(): { published: number; duplicates: number };
}

export interface MetricsOptions {
  /** Distinct GraphQL operation names kept as label values; later new names count as `other`. */
  maxOperationNames?: number;
  /** How long a scrape reuses the connection gauges' last reading, in ms (the store is read at most this often). */
  gaugeMaxAgeMs?: number;
  /** Default process metrics (CPU, memory, event loop lag, GC). */
  processMetrics?: boolean;
}

/** Request latency buckets, in seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `2xx` … `5xx` for an HTTP status, `error` when no answer came. */
export function statusClass(status: number | null): string {
  return status === null ? 'error' : `${Math.floor(status / 100)}xx`;
}

/**
 * A GraphQL request's outcome: `success` (no errors), `partial` (data and errors, e.g. one platform
 * failed) or `error` (no data).
 */
export function requestOutcome(result: { data?: unknown; errors?: readonly unknown[] } | undefined): 'success' | 'partial' | 'error' {
  if (!result?.errors?.length) return 'success';
  return result.data === undefined || result.data === null ? 'error' : 'partial';
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways in one process do not
 * collide). Label values are bounded: platforms, the connectors' operation names, status classes,
 * and at most `maxOperationNames` GraphQL operation names (`anonymous` for unnamed operations,
 * `invalid` for requests that never resolved to one, `other` past the cap).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly maxOperationNames: number;

  readonly graphqlRequests: Counter<'operation' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation'>;
  readonly upstreamRequests: Counter<'platform' | 'operation' | 'status_class'>;
  readonly upstreamDuration: Histogram<'platform' | 'operation'>;
  readonly tokenRenewals: Counter<'platform' | 'outcome'>;
  readonly cacheLookups: Counter<'cache' | 'result'>;
  readonly webhookDeliveries: Counter<'status'>;

  constructor(sources: MetricSources, options: MetricsOptions = {}) {
    this.maxOperationNames = options.maxOperationNames ?? 100;
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.graphqlRequests = new Counter({
      name: 'bookgraph_graphql_requests_total',
      help: 'GraphQL requests over HTTP, by operation name and outcome (success, partial, error)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'bookgraph_graphql_request_duration_seconds',
      help: 'GraphQL request latency, from the request reaching Apollo to the answer, by operation name',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamRequests = new Counter({
      name: 'bookgraph_upstream_requests_total',
      help: 'HTTP calls to the platforms (each attempt), by platform, operation and status class (error: no answer)',
      labelNames: ['platform', 'operation', 'status_class'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'bookgraph_upstream_request_duration_seconds',
      help: 'Duration of HTTP calls to the platforms (each attempt), by platform and operation',
      labelNames: ['platform', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokenRenewals = new Counter({
      name: 'bookgraph_token_renewals_total',
      help: 'Token requests to the platforms, by platform and outcome (renewed, failed, revoked)',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    this.cacheLookups = new Counter({
      name: 'bookgraph_cache_lookups_total',
      help: 'Reads of the in-memory caches (response: platform answers; connector: connector data), by result (hit, miss)',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'bookgraph_webhook_deliveries_total',
      help: 'Webhook delivery attempts to subscribers, by resulting status (DELIVERED, PENDING: will retry, FAILED: for good)',
      labelNames: ['status'],
      registers,
    });

    const gaugeMaxAgeMs = options.gaugeMaxAgeMs ?? 5_000;
    let reading: { at: number; value: Promise<Array<{ id: string; provider: string; status: string }>> } | null = null;
    const connections = () => {
      if (!reading || Date.now() - reading.at > gaugeMaxAgeMs) {
        const value = sources.connections().catch(() => []);
        reading = { at: Date.now(), value };
      }
      return reading.value;
    };
    new Gauge({
      name: 'bookgraph_connections',
      help: 'Connections in the store, by platform and status (read on scrape)',
      labelNames: ['platform', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const c of await connections()) this.inc({ platform: c.provider, status: c.status });
      },
    });
    new Gauge({
      name: 'bookgraph_circuit_breakers',
      help: 'Connections by platform and the state of their circuit breaker in this process (CLOSED, OPEN, HALF_OPEN)',
      labelNames: ['platform', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const c of await connections()) this.inc({ platform: c.provider, state: sources.circuit(c.id).state });
      },
    });
    new Counter({
      name: 'bookgraph_booking_events_total',
      help: 'Booking events taken in (pushed or polled), by result (published, duplicate: already seen)',
      labelNames: ['result'],
      registers,
      collect() {
        const { published, duplicates } = sources.events();
        this.reset();
        this.inc({ result: 'published' }, published);
        this.inc({ result: 'duplicate' }, duplicates);
      },
    });
  }

  /** The label of an operation name (see the class comment). */
  operationLabel(name: string | null | undefined, resolved: boolean): string {
    if (!resolved) return 'invalid';
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= this.maxOperationNames) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** One upstream call that ended after `seconds`. */
  upstreamCall(platform: string, operation: string, status: number | null, seconds: number): void {
    this.upstreamRequests.inc({ platform, operation, status_class: statusClass(status) });
    this.upstreamDuration.observe({ platform, operation }, seconds);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Counts and times every GraphQL request Apollo answers (`bookgraph_graphql_*`). */
export function metricsPlugin<TContext extends object>(metrics: GatewayMetrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(ctx: GraphQLRequestContextWillSendResponse<TContext>) {
          const operation = metrics.operationLabel(ctx.operationName, ctx.operation !== undefined);
          const outcome = ctx.response.body.kind === 'single' ? requestOutcome(ctx.response.body.singleResult) : 'success';
          metrics.graphqlRequests.inc({ operation, outcome });
          metrics.graphqlDuration.observe({ operation }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
