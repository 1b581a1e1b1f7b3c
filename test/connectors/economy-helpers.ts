import { expect } from 'vitest';
import { connect, type GqlResult, gql, sandbox, type TestGateway } from '../helpers/gateway.js';

/**
 * What the connector economy suites (`*-economy.test.ts`) share: upstream API calls counted by a
 * platform's emulator (`/__sandbox/stats` `api`) around GraphQL reads through the real gateway. A
 * "cold" read uses a tenant of its own (`freshTenant`), so its caches start empty.
 */

/** A page of bookings with its keyset position. */
export const PAGE = `query($first: Int, $after: String, $filter: BookingFilter) {
  bookings(first: $first, after: $after, filter: $filter) { edges { node { nativeId startsAt } } pageInfo { hasNextPage endCursor } }
}`;

/** Bookings with every relation: service, customer and organization. */
export const NESTED = `query($first: Int, $filter: BookingFilter) {
  bookings(first: $first, filter: $filter) { edges { node { nativeId service { name } customer { firstName } organization { name } } } }
}`;

/** A test gateway and the origin of the emulator whose calls are counted. */
export interface Upstream {
  gw: TestGateway;
  origin: string;
}

/** A new tenant connected by `connectTenant`: a connection with cold caches. Answers its API key. */
export async function freshTenant(gw: TestGateway, connectTenant: (apiKey: string) => Promise<unknown>): Promise<string> {
  const { apiKey } = await gw.tenant();
  await connectTenant(apiKey);
  return apiKey;
}

/** Connects `apiKey`'s tenant through `connectProvider` with `credentials`; fails the test on any error. */
export async function connectOrFail(gw: TestGateway, apiKey: string, provider: string, credentials: unknown): Promise<void> {
  const r = await connect(gw.url, apiKey, provider, credentials);
  expect(r.body.errors).toBeUndefined();
}

/** Runs `query` (which must answer without errors) and answers it with the upstream API calls it cost. */
export async function costOf({ gw, origin }: Upstream, apiKey: string, query: string, variables: Record<string, unknown>) {
  const before = await sandbox(origin, 'stats');
  const r: GqlResult = await gql(gw.url, apiKey, query, variables);
  const after = await sandbox(origin, 'stats');
  expect(r.body.errors).toBeUndefined();
  return { r, api: (after.api as number) - (before.api as number) };
}

/** The `nativeId`s of a bookings page, in order. */
export const nativeIds = (r: GqlResult): string[] => r.body.data.bookings.edges.map((e: any) => e.node.nativeId);

/** (start, id) ascending: the connector's (startsAt, ref) order, written out here rather than imported. */
export function byStartThenId(a: { start: number; id: string }, b: { start: number; id: string }): number {
  return a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
