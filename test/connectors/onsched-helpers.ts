import { type GqlResult, gql, sandbox } from '../helpers/gateway.js';

/** Shared pieces of the OnSched connector tests (GraphQL to the gateway, HTTP to the emulator). */

export type Json = Record<string, any>;

export const HARBOR_ID = 'f8dc03c7-b8dc-43f6-9ae9-8c557b2e9013';
export const MAPLE_ID = '2c3a33ac-1a68-45bd-8955-8c984cd4780e';

/** The emulator's dashboard, as `connectProvider` credentials. */
export async function demoCredentials(origin: string, extra: Json = {}) {
  const c = await sandbox<Json>(origin, 'credentials');
  return { refreshToken: c.refresh_token as string, companyApiKeys: (c.companies as Json[]).map((k) => k.api_key as string), ...extra };
}

export const BOOKINGS = `query($first: Int, $after: String, $filter: BookingFilter) {
  bookings(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id nativeId provider status startsAt endsAt timezone raw organization { nativeId name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Every OnSched booking through the gateway, `first` at a time. */
export async function allBookings(url: string, apiKey: string, first: number, filter: Json = {}): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | null = null;
  for (;;) {
    const r: GqlResult = await gql(url, apiKey, BOOKINGS, { first, after, filter: { providers: ['ONSCHED'], ...filter } });
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    const page: Json = r.body.data.bookings;
    out.push(...page.edges.map((e: Json) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

export async function onschedConnection(url: string, apiKey: string): Promise<Json> {
  const r = await gql(url, apiKey, '{ connections { id provider status statusReason label accessTokenExpiresAt lastRefreshedAt } }');
  return (r.body.data.connections as Json[]).find((c) => c.provider === 'ONSCHED') as Json;
}

export const grants = async (origin: string) => (await sandbox<Json>(origin, 'stats')).token.refresh_token as number;
