import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { orgNesting } from './cases.js';

// The answer-size bound, with a small RESPONSE_MAX_BYTES so a real answer crosses it.
let tg: TestGateway;
beforeAll(async () => {
  tg = await startTestGateway({ env: { RESPONSE_MAX_BYTES: '20000', SANDBOX_RATE_LIMITS: 'false' } });
});
afterAll(() => tg.close());

it('replaces an answer over RESPONSE_MAX_BYTES by one RESPONSE_TOO_LARGE error naming the bound', async () => {
  const r = await gql(tg.url, tg.demoKey, '{ bookings(first: 100) { edges { node { id raw } } } }');
  expect(r.body.data).toBeUndefined();
  expect(r.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE', limit: { name: 'responseBytes', max: 20_000 } } })]);
});

it('sends an answer under the bound unchanged', async () => {
  const r = await gql(tg.url, tg.demoKey, '{ bookings(first: 3) { edges { node { id } } } }');
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.bookings.edges).toHaveLength(3);
});

it('refuses over a limit with QUERY_TOO_COMPLEX naming it and its figures, HTTP 400', async () => {
  const deep = await gql(tg.url, tg.demoKey, orgNesting(8));
  expect(deep.status).toBe(400);
  expect(deep.body.errors?.[0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: { name: 'depth', max: 15, actual: 16 } });
});
