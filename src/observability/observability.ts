import type { ApolloServerPlugin } from '@apollo/server';
import type { TracerProvider } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { HttpObserver } from '../connectors/http.js';
import type { DeliveryStatus } from '../events/delivery.js';
import type { RenewalOutcome } from '../tokens/token-manager.js';
import { GatewayMetrics, type MetricSources, metricsPlugin, type MetricsOptions } from './metrics.js';
import { requestLogPlugin } from './request-log.js';
import { telemetryOf, type RequestTelemetry } from './request-telemetry.js';
import { gatewayTracer, tracingHttpObserver, tracingPlugin } from './tracing.js';

/**
 * One gateway's metrics, traces and request log, and the hooks that feed them: handed to the HTTP
 * clients (`http`), the token manager (`tokenRenewal`), the caches (`cacheLookup`) and the delivery
 * queue (`deliveryAttempt`) by `createServices`; `plugins` go to Apollo.
 */
export interface Observability {
  metrics: GatewayMetrics;
  http: HttpObserver;
  tokenRenewal(provider: string, outcome: RenewalOutcome): void;
  cacheLookup(cache: string, hit: boolean): void;
  deliveryAttempt(status: DeliveryStatus): void;
  plugins<TContext extends { telemetry: RequestTelemetry }>(): Array<ApolloServerPlugin<TContext>>;
}

export function createObservability(opts: {
  log: Logger;
  sources: MetricSources;
  /** Where spans go; default the global provider (a no-op unless `configureTracing` or a test set one). */
  tracerProvider?: TracerProvider;
  metrics?: MetricsOptions;
}): Observability {
  const metrics = new GatewayMetrics(opts.sources, opts.metrics);
  const tracer = gatewayTracer(opts.tracerProvider);
  const traced = tracingHttpObserver(tracer);
  return {
    metrics,
    http: {
      callStarted(call) {
        const started = performance.now();
        telemetryOf(call.unit)?.platforms.add(call.provider);
        const ended = traced.callStarted(call);
        return (status) => {
          metrics.upstreamCall(call.provider, call.operation, status, (performance.now() - started) / 1000);
          ended(status);
        };
      },
    },
    tokenRenewal: (platform, outcome) => metrics.tokenRenewals.inc({ platform, outcome }),
    cacheLookup: (cache, hit) => metrics.cacheLookups.inc({ cache, result: hit ? 'hit' : 'miss' }),
    deliveryAttempt: (status) => metrics.webhookDeliveries.inc({ status }),
    plugins: <TContext extends { telemetry: RequestTelemetry }>() => [
      tracingPlugin<TContext>(tracer),
      metricsPlugin<TContext>(metrics),
      requestLogPlugin<TContext>(opts.log),
    ],
  };
}
