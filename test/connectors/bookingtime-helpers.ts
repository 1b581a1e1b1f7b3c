/** Shared by the bookingtime connector tests: GraphQL to the gateway, the control API and App API of the emulator. */
import { expect } from 'vitest';
import { connect, type GqlResult, gql, sandbox } from '../helpers/gateway.js';

export const ORG_A = 'f6ywK5E9U5ozmomLNOsqwxQdbINSl8NL';
export const ORG_B = 'f61KUMNaksEnvT94j97KYf98IEwM69MU';
export const ORG_C = 'f6mszSXxmhQYQti8tfMkeI8X4FCLf99C';

export interface Stats {
  token: Record<string, number>;
  api: number;
  unauthorized: number;
  forbidden: number;
}

export const stats = (origin: string) => sandbox<Stats>(origin, 'stats');
export const advance = (origin: string, seconds: number) => sandbox<{ now: string }>(origin, 'clock', { advanceSeconds: seconds });
export const emulatorNow = async (origin: string) => new Date((await sandbox<{ now: string }>(origin, 'clock')).now);

/** Connects `apiKey`'s tenant to bookingtime with the emulator's demo credentials; returns the connection. */
export async function connectBookingtime(url: string, apiKey: string, origin: string) {
  const c = await sandbox(origin, 'credentials');
  const r = await connect(url, apiKey, 'BOOKINGTIME', { clientId: c.client_id, clientSecret: c.client_secret });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.connectProvider as { id: string; status: string; label: string };
}

export const BOOKINGS = `query($first: Int, $after: String, $filter: BookingFilter) {
  bookings(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id nativeId status startsAt endsAt timezone createdAt updatedAt raw
      organization { nativeId name timezone } service { nativeId name durationMinutes } customer { nativeId firstName lastName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const BOOKINGS_LIGHT = `query($first: Int, $filter: BookingFilter) {
  bookings(first: $first, filter: $filter) { edges { node { nativeId startsAt raw } } }
}`;

/** Every booking of `filter`, paging `first` at a time; fails on any GraphQL error. */
export async function allBookings(url: string, apiKey: string, filter: Record<string, unknown>, first: number) {
  const out: any[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const r: GqlResult = await gql(url, apiKey, BOOKINGS, { first, after, filter });
    expect(r.body.errors).toBeUndefined();
    const page: { edges: any[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = r.body.data.bookings;
    out.push(...page.edges.map((e: any) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

/**
 * The emulator's own view, read over its App API with tokens this test obtains itself (never the
 * gateway's): every appointment of `org` in the local months listed.
 */
export async function emulatorAppointments(origin: string, org: string, months: Array<{ y: number; m: number }>) {
  const c = await sandbox(origin, 'credentials');
  const form = (f: Record<string, string>) => fetch(`${origin}/oauth/token`, { method: 'POST', body: new URLSearchParams(f) }).then((r) => r.json() as any);
  const { refresh_token } = await form({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret });
  const { access_token } = await form({ grant_type: 'refresh_token', client_id: c.client_id, refresh_token, organization_id: org });
  const out: any[] = [];
  for (const { y, m } of months) {
    const r = await fetch(`${origin}/app/v3/en/organization/${org}/appointment/year/${y}/month/${m}/listMonth`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(r.status).toBe(200);
    out.push(...((await r.json()) as any).content.list);
  }
  return out;
}
