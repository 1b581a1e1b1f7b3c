import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * `/metrics` as Prometheus scrapes it: over HTTP, as text, after real queries through a real gateway
 * in sandbox mode (emulators in process, the response cache on).
 */
const TOKEN = 'metrics-token-for-the-test-0123456789';

/** Samples of a Prometheus text exposition: `name{a="x",b="y"}` (labels sorted) → value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    samples.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include every one of `labels`. */
function sum(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [key, value] of samples) {
    if (!key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) total += value;
  }
  return total;
}

let gw: TestGateway;
const scrape = async () => {
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
};

beforeAll(async () => {
  gw = await startTestGateway({ env: { RESPONSE_CACHE: 'on', METRICS_TOKEN: TOKEN } });
});
afterAll(() => gw.close());

describe('/metrics', () => {
  it('refuses a scrape without METRICS_TOKEN, or with another token', async () => {
    const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-the-metrics-token-at-all' }, { authorization: `Bearer ${gw.demoKey}` }];
    for (const headers of refused) {
      const res = await fetch(`${gw.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('bookgraph_');
    }
  });

  it('counts requests by operation and outcome, upstream calls by platform and status class, and cache hits', async () => {
    const before = await scrape();
    const apiBefore = (await sandbox(gw.emulators.appointedd as string, 'stats')).api as number;
    const query = 'query MetricsProbe { bookings(first: 3, filter: { providers: [APPOINTEDD, BOOKINGTIME] }) { edges { node { id } } } }';
    for (let i = 0; i < 3; i++) expect((await gql(gw.url, gw.demoKey, query)).body.errors).toBeUndefined();
    expect((await gql(gw.url, gw.demoKey, '{ organizations(providers: [ONSCHED]) { id } }')).body.errors).toBeUndefined();
    expect((await gql(gw.url, gw.demoKey, '{ notAField }')).status).toBe(400);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sum(after, name, labels) - sum(before, name, labels);

    expect(delta('bookgraph_graphql_requests_total', { operation: 'MetricsProbe', outcome: 'success' })).toBe(3);
    expect(delta('bookgraph_graphql_request_duration_seconds_count', { operation: 'MetricsProbe' })).toBe(3);
    expect(delta('bookgraph_graphql_requests_total', { operation: 'anonymous', outcome: 'success' })).toBe(1);
    expect(delta('bookgraph_graphql_requests_total', { operation: 'invalid', outcome: 'error' })).toBe(1);

    // The platforms queried were called and answered 2xx; the other three were not called.
    for (const platform of ['APPOINTEDD', 'BOOKINGTIME', 'ONSCHED']) {
      expect(delta('bookgraph_upstream_requests_total', { platform, status_class: '2xx' })).toBeGreaterThanOrEqual(1);
      expect(delta('bookgraph_upstream_request_duration_seconds_count', { platform })).toBeGreaterThanOrEqual(1);
    }
    for (const platform of ['DAYSCHEDULE', 'YAPPOINTMENT']) expect(delta('bookgraph_upstream_requests_total', { platform })).toBe(0);
    // Every call the emulator counted is a call the gateway counted (the gateway may also count token requests).
    const apiCalls = ((await sandbox(gw.emulators.appointedd as string, 'stats')).api as number) - apiBefore;
    expect(delta('bookgraph_upstream_requests_total', { platform: 'APPOINTEDD' })).toBeGreaterThanOrEqual(apiCalls);
    // The second and third MetricsProbe were answered from the response cache.
    expect(delta('bookgraph_cache_lookups_total', { cache: 'response', result: 'hit' })).toBeGreaterThanOrEqual(2);
    expect(delta('bookgraph_cache_lookups_total', { cache: 'response', result: 'miss' })).toBeGreaterThanOrEqual(1);
  });

  it('reads connections by status and circuit states from the store on scrape, and has the process metrics', async () => {
    const samples = await scrape();
    // The demo tenant: one ACTIVE connection per platform.
    expect(sum(samples, 'bookgraph_connections', { status: 'ACTIVE' })).toBe(5);
    for (const platform of ['DAYSCHEDULE', 'BOOKINGTIME', 'YAPPOINTMENT', 'APPOINTEDD', 'ONSCHED']) {
      expect(sum(samples, 'bookgraph_connections', { platform, status: 'ACTIVE' })).toBe(1);
    }
    expect(sum(samples, 'bookgraph_circuit_breakers', { state: 'CLOSED' })).toBe(5);
    expect(sum(samples, 'bookgraph_token_renewals_total', { outcome: 'renewed' })).toBeGreaterThanOrEqual(1);
    expect(samples.has('bookgraph_booking_events_total{result="published"}')).toBe(true);
    expect(sum(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sum(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('keeps one registry per gateway: a second gateway in this process starts from zero', async () => {
    const other = await startTestGateway();
    try {
      const res = await fetch(`${other.url}/metrics`);
      expect(res.status).toBe(200);
      const samples = parse(await res.text());
      expect(sum(samples, 'bookgraph_graphql_requests_total', { operation: 'MetricsProbe' })).toBe(0);
      expect(sum(samples, 'bookgraph_connections', { status: 'ACTIVE' })).toBe(5);
    } finally {
      await other.close();
    }
  });
});
