import type { ApolloServerPlugin } from '@apollo/server';
import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { HttpObserver } from '../connectors/http.js';
import { telemetryOf, type RequestTelemetry } from './request-telemetry.js';

const TRACER_NAME = 'bookgraph';

/** The SDK provider this process set up from the OTEL_* variables (once per process), for flushing at exit. */
let configured: { provider: TracerProvider & { shutdown(): Promise<void>; forceFlush(): Promise<void> } } | null = null;

/**
 * Sets up OpenTelemetry tracing as the standard variables ask (`config.tracing`, from
 * `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
 * `OTEL_SERVICE_NAME`; the OTLP exporter reads `OTEL_EXPORTER_OTLP_HEADERS` itself) and registers it
 * as the global tracer provider. Without them nothing is loaded: the API's no-op tracer answers and
 * spans cost nothing. Idempotent per process; the SDK is imported only when used.
 */
export async function configureTracing(config: Config, log: Logger): Promise<void> {
  if (!config.tracing || configured) return;
  const { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } = await import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  let exporter;
  if (config.tracing.exporter === 'console') exporter = new ConsoleSpanExporter();
  else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter(config.tracing.otlpTracesUrl ? { url: config.tracing.otlpTracesUrl } : {});
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.tracing.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  configured = { provider };
  log.info({ exporter: config.tracing.exporter, endpoint: config.tracing.otlpTracesUrl ?? undefined }, 'tracing on');
}

/** Exports the spans still buffered (call at shutdown). */
export async function flushTracing(): Promise<void> {
  await configured?.provider.forceFlush().catch(() => undefined);
}

/** The gateway's tracer: from `provider` (tests: an in-memory exporter), else the global one (no-op unless configured). */
export function gatewayTracer(provider?: TracerProvider): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
}

/**
 * A span per GraphQL operation (`graphql.operation.name`, `graphql.operation.type`, the tenant id,
 * error codes), the parent of the request's upstream call spans. Never the query text or variables.
 */
export function tracingPlugin<TContext extends { telemetry: RequestTelemetry }>(tracer: Tracer): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const span = tracer.startSpan('graphql.request', { kind: SpanKind.SERVER, attributes: { 'bookgraph.tenant.id': contextValue.telemetry.tenantId } });
      if (!span.isRecording()) return {};
      contextValue.telemetry.span = span;
      return {
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'unknown';
          span.updateName(`${type} ${operationName ?? 'anonymous'}`);
          span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': operationName ?? 'anonymous' });
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          span.setAttribute('bookgraph.platforms', [...contextValue.telemetry.platforms].sort());
          if (codes.length > 0) {
            span.setAttribute('bookgraph.error_codes', codes);
            span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
          }
          span.end();
        },
      };
    },
  };
}

const ignore = () => undefined;

/**
 * A client span per platform call (each attempt), the child of its request's operation span when it
 * has one: `bookgraph.platform`, `bookgraph.operation`, `http.request.method`,
 * `http.response.status_code`. Never the URL (it can carry ids and keys), headers or bodies. Calls
 * outside a traced request (background work) are root spans.
 */
export function tracingHttpObserver(tracer: Tracer): HttpObserver {
  return {
    callStarted({ provider, operation, method, unit }) {
      const telemetry = telemetryOf(unit);
      // A request that is not traced (no recording operation span): nothing to do, not even a no-op span.
      if (telemetry && !telemetry.span) return ignore;
      const parent: Span | undefined = telemetry?.span;
      const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
      const span = tracer.startSpan(
        `${provider} ${operation}`,
        { kind: SpanKind.CLIENT, attributes: { 'bookgraph.platform': provider, 'bookgraph.operation': operation, 'http.request.method': method } },
        ctx,
      );
      if (!span.isRecording()) return ignore;
      return (status) => {
        if (status === null) span.setStatus({ code: SpanStatusCode.ERROR, message: 'no answer' });
        else {
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
        }
        span.end();
      };
    },
  };
}
