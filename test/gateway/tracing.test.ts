import { SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Tracing through a real gateway: the test registers an SDK provider with an in-memory exporter as
 * the global one (what `configureTracing` does with the OTEL_* variables), so every span the gateway
 * makes lands here. The count of upstream spans is checked against the emulators' own counts.
 */
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const SLUGS = { APPOINTEDD: 'appointedd', ONSCHED: 'onsched' } as const;

/** Requests the emulator answered: API calls, token requests and revocations. */
async function calls(origin: string): Promise<number> {
  const stats = await sandbox(origin, 'stats');
  return (stats.api as number) + (stats.revoke as number) + Object.values(stats.token as Record<string, number>).reduce((a, b) => a + b, 0);
}

let gw: TestGateway;
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
  await provider.shutdown();
  trace.disable();
});

describe('tracing', () => {
  it('makes one span per GraphQL operation and one child span per upstream call', async () => {
    const before = { APPOINTEDD: await calls(gw.emulators.appointedd as string), ONSCHED: await calls(gw.emulators.onsched as string) };
    exporter.reset();
    const startsAfter = '2001-02-03T04:05:06.789Z';
    const r = await gql(gw.url, gw.demoKey, 'query TraceProbe($f: BookingFilter) { bookings(first: 4, filter: $f) { edges { node { id } } } }', {
      f: { providers: ['APPOINTEDD', 'ONSCHED'], startsAfter },
    });
    expect(r.body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const operations = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(operations).toHaveLength(1);
    const [operation] = operations;
    expect(operation.name).toBe('query TraceProbe');
    expect(operation.attributes['graphql.operation.name']).toBe('TraceProbe');
    expect(operation.attributes['graphql.operation.type']).toBe('query');
    expect(operation.attributes['bookgraph.platforms']).toEqual(['APPOINTEDD', 'ONSCHED']);

    const children = spans.filter((s) => s.kind === SpanKind.CLIENT);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(operation.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(operation.spanContext().traceId);
      expect(child.attributes['http.response.status_code']).toBeGreaterThanOrEqual(200);
    }
    for (const platform of ['APPOINTEDD', 'ONSCHED'] as const) {
      const made = (await calls(gw.emulators[SLUGS[platform]] as string)) - before[platform];
      expect(made).toBeGreaterThanOrEqual(1);
      expect(children.filter((s) => s.attributes['bookgraph.platform'] === platform)).toHaveLength(made);
    }
    expect(children.every((s) => ['APPOINTEDD', 'ONSCHED'].includes(String(s.attributes['bookgraph.platform'])))).toBe(true);

    // Nothing secret, no token and no variable in any span's name or attributes.
    const tenant = await gw.gateway.services.tenants.authenticate(gw.demoKey);
    const secrets = [gw.demoKey, gw.encryptionKey, startsAfter];
    for (const c of await gw.gateway.services.connections.listForTenant(tenant!.id)) {
      const names = (await gw.gateway.services.store.get<string[]>(`tokens:${c.id}`)) ?? [];
      for (const name of names) {
        const set = await gw.gateway.services.tokens.forConnection(c.id).peek(name);
        if (set?.accessToken) secrets.push(set.accessToken);
        if (set?.refreshToken) secrets.push(set.refreshToken);
      }
    }
    expect(secrets.length).toBeGreaterThan(3);
    const seen = JSON.stringify(spans.map((s: ReadableSpan) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    for (const secret of secrets) expect(seen).not.toContain(secret);
    expect(seen).not.toMatch(/https?:\/\//);
  });

  it('marks an operation whose platform failed with its error code', async () => {
    await sandbox(gw.emulators.appointedd as string, 'faults', { match: '/v2/bookings', status: 503 });
    try {
      exporter.reset();
      const r = await gql(gw.url, gw.demoKey, 'query Failing { bookings(first: 2, filter: { providers: [APPOINTEDD] }) { edges { node { id } } } }');
      expect(r.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_UNAVAILABLE');
      const [operation] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
      expect(operation.attributes['bookgraph.error_codes']).toEqual(['PROVIDER_UNAVAILABLE']);
      const failed = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT && s.attributes['http.response.status_code'] === 503);
      expect(failed.length).toBeGreaterThanOrEqual(1);
    } finally {
      await sandbox(gw.emulators.appointedd as string, 'faults', undefined, 'DELETE');
    }
  });
});
