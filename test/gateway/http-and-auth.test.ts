import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.demoKey}`, ...headers }, body });

/** No error anywhere in a response carries a stack trace or an exception object. */
function expectNoInternals(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|exception|at .*\.ts:\d+|node_modules/i);
}

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a key, revealing nothing else', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ connections { id } }"}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    const body = await res.json();
    expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('answers 401 for a wrong or malformed key', async () => {
    for (const key of ['bg_wrong', `${gw.demoKey}x`, 'x'.repeat(600)]) {
      const r = await gql(gw.url, key, '{ connections { id } }');
      expect(r.status).toBe(401);
      expect(r.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(r.body.data).toBeUndefined();
    }
  });

  it('stores API keys only as hashes', async () => {
    const { apiKey } = await gw.tenant('hash-check');
    const raw = JSON.stringify([...((gw.gateway.services.store.keyv.opts as any).store as Map<string, unknown>).entries()]);
    expect(raw).not.toContain(apiKey);
    expect((await gql(gw.url, apiKey, '{ connections { id } }')).status).toBe(200);
  });
});

describe('GraphQL over HTTP', () => {
  it('serves queries over GET and POST, and application/graphql-response+json', async () => {
    const get = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ connections { provider } }')}`, {
      headers: { authorization: `Bearer ${gw.demoKey}`, accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toContain('application/graphql-response+json');
    expect((await get.json()).data.connections.length).toBeGreaterThan(0);
  });

  it('never runs a mutation over GET', async () => {
    const q = encodeURIComponent('mutation { cancelBooking(id: "x") { id } }');
    const res = await fetch(`${gw.url}/graphql?query=${q}`, { headers: { authorization: `Bearer ${gw.demoKey}`, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('rejects a GET without a CSRF-safe header (Apollo CSRF prevention)', async () => {
    const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ connections { id } }')}`, {
      headers: { authorization: `Bearer ${gw.demoKey}`, 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(400);
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});

describe('bad input', () => {
  it('malformed JSON → 400 BAD_REQUEST', async () => {
    const res = await post('{"query": "{ connections { id } }"');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expectNoInternals(body);
  });

  it('a body that is not a GraphQL request → 400 BAD_REQUEST', async () => {
    for (const body of ['{"foo": 1}', '[]', '"query"', '{"query": 42}']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const json = await res.json();
      expect(json.errors[0].extensions.code).toBe('BAD_REQUEST');
      expectNoInternals(json);
    }
  });

  it('a syntax error → 400 GRAPHQL_PARSE_FAILED; an unknown field → 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const parse = await gql(gw.url, gw.demoKey, '{ connections { id ');
    expect(parse.status).toBe(400);
    expect(parse.body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await gql(gw.url, gw.demoKey, '{ connections { id password } }');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expectNoInternals(unknown.body);
  });

  it('an invalid DateTime → BAD_USER_INPUT (variable) or GRAPHQL_VALIDATION_FAILED (literal)', async () => {
    const v = await gql(gw.url, gw.demoKey, 'query($f: BookingFilter) { bookings(filter: $f) { edges { cursor } } }', { f: { startsAfter: 'tomorrow' } });
    expect(v.status).toBe(400);
    expect(v.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const lit = await gql(gw.url, gw.demoKey, '{ bookings(filter: { startsAfter: "2026-13-45T99:00:00Z" }) { edges { cursor } } }');
    expect(lit.status).toBe(400);
    expect(lit.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('first above the maximum, or negative → BAD_USER_INPUT', async () => {
    for (const first of [101, -1]) {
      const r = await gql(gw.url, gw.demoKey, 'query($n: Int) { bookings(first: $n) { edges { cursor } } }', { n: first });
      expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0].message).toMatch(/first/);
      expect(r.body.data).toBeNull();
    }
  });

  it('a cursor that is not ours → BAD_USER_INPUT', async () => {
    const r = await gql(gw.url, gw.demoKey, '{ bookings(after: "not-a-cursor") { edges { cursor } } }');
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an invalid or foreign ID → node is null; a mutation with one → BAD_USER_INPUT', async () => {
    const r = await gql(gw.url, gw.demoKey, '{ a: node(id: "nonsense") { id } b: node(id: "WyJiZzEiLCJCb29raW5nIiwiQVBQT0lOVEVERCIsImNuX3giLCJ5Il0") { id } }');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ a: null, b: null });
    const m = await gql(gw.url, gw.demoKey, 'mutation { cancelBooking(id: "nonsense") { id } }');
    expect(m.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expectNoInternals(m.body);
  });

  it('does not leak stack traces in production mode either', async () => {
    const prod = await startTestGateway({ env: { NODE_ENV: 'production', INTROSPECTION: 'false' } });
    try {
      const r = await gql(prod.url, prod.demoKey, '{ connections { id nope } }');
      expect(r.status).toBe(400);
      expectNoInternals(r.body);
      const intro = await gql(prod.url, prod.demoKey, '{ __schema { types { name } } }');
      expect(intro.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await prod.close();
    }
  });

  it('unknown routes answer JSON 404, not HTML', async () => {
    const res = await fetch(`${gw.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});
