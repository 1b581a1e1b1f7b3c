/** Shared by the yAppointment connector tests: GraphQL to the gateway, HTTP to the emulator (consent page, API, control API). */
import { expect } from 'vitest';
import { decodeId } from '../../src/gateway/ids.js';
import { openCallback, openStartLink } from '../helpers/consent.js';
import { type GqlResult, gql, sandbox, type TestGateway } from '../helpers/gateway.js';

export const SALON = '3f61a8f9577777ef06019705';
export const CLINIC = '84afe9ea76600735cc231bc1';
export const ALL_SCOPES = ['bookings:read', 'bookings:write', 'services:read', 'calendars:read', 'customers:read', 'customers:write', 'companies:read'];
/** What the gateway asks for: the read scopes, and `bookings:write` for a connection that asks to write (never `customers:write`). */
export const READ_SCOPES = ['bookings:read', 'services:read', 'calendars:read', 'customers:read', 'companies:read'];
export const WRITE_SCOPES = [...READ_SCOPES, 'bookings:write'];

export interface Stats {
  token: { authorization_code: number; refresh_token: number };
  revoke: number;
  api: number;
  unauthorized: number;
  forbidden: number;
  rateLimited: number;
}

export const stats = (origin: string) => sandbox<Stats>(origin, 'stats');
export const advance = (origin: string, seconds: number) => sandbox<{ now: string }>(origin, 'clock', { advanceSeconds: seconds });

export const START = `mutation($write: Boolean) { startConnection(provider: YAPPOINTMENT, sandbox: true, write: $write) { authorizeUrl connection { id status statusReason } } }`;
export const CONNECTIONS =
  '{ connections { id provider status statusReason label organizations { nativeId name timezone } lastRefreshedAt accessTokenExpiresAt } }';

/**
 * Starts a consent request over GraphQL and opens its start link as a browser would; returns the
 * platform's consent URL (`authorizeUrl`), the flow's cookie and the PENDING connection's id.
 */
export async function startConnection(
  gw: TestGateway,
  apiKey: string,
  opts: { write?: boolean } = {},
): Promise<{ authorizeUrl: string; startUrl: string; cookie: string; connectionId: string }> {
  const r = await gql(gw.url, apiKey, START, { write: opts.write ?? false });
  expect(r.body.errors).toBeUndefined();
  const { authorizeUrl: startUrl, connection } = r.body.data.startConnection;
  expect(connection.status).toBe('PENDING');
  expect(startUrl).toMatch(/\/oauth\/start\/[A-Za-z0-9_-]{43}$/);
  // The link is on the gateway's public URL; with PUBLIC_URL set that may not be where it listens.
  const { platformUrl, cookie } = await openStartLink(`${gw.url}${new URL(startUrl).pathname}`);
  return { authorizeUrl: platformUrl, startUrl, cookie, connectionId: connection.id };
}

/**
 * Does what a person does on the emulator's consent page, over plain HTTP: loads it, submits the
 * form (`account`, `decision`) and returns the redirect target (the gateway's callback URL).
 */
export async function decide(authorizeUrl: string, opts: { decision?: 'allow' | 'deny'; account?: string } = {}): Promise<string> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('id="consent-form"');
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set('account', opts.account ?? SALON);
  form.set('decision', opts.decision ?? 'allow');
  const res = await fetch(new URL('/oauth/authorize', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location') as string;
}

/** Opens the gateway's callback URL the way the browser would after the redirect, with the flow's cookie. */
export async function callback(url: string, cookie?: string): Promise<{ status: number; html: string }> {
  const { status, html } = await openCallback(url, cookie);
  return { status, html };
}

/** Adds scopes to an authorize URL (a person granting more than the gateway asked for). */
export function withScopes(authorizeUrl: string, add: string[]): string {
  const u = new URL(authorizeUrl);
  const scopes = (u.searchParams.get('scope') ?? '').split(' ').filter(Boolean);
  u.searchParams.set('scope', [...scopes, ...add.filter((s) => !scopes.includes(s))].join(' '));
  return u.toString();
}

/** Removes scopes from an authorize URL (a grant narrower than the connector asks for). */
export function withoutScopes(authorizeUrl: string, drop: string[]): string {
  const u = new URL(authorizeUrl);
  const scopes = (u.searchParams.get('scope') ?? '').split(' ').filter((s) => !drop.includes(s));
  u.searchParams.set('scope', scopes.join(' '));
  return u.toString();
}

/**
 * The whole consent flow over HTTP for a tenant; returns the ACTIVE connection's id. `write` asks for
 * write access; `addScopes`/`dropScopes` change what the person grants on the consent page.
 */
export async function connectYAppointment(
  gw: TestGateway,
  apiKey: string,
  opts: { account?: string; dropScopes?: string[]; addScopes?: string[]; write?: boolean } = {},
): Promise<string> {
  const { authorizeUrl, cookie, connectionId } = await startConnection(gw, apiKey, { write: opts.write });
  let granted = opts.dropScopes ? withoutScopes(authorizeUrl, opts.dropScopes) : authorizeUrl;
  if (opts.addScopes) granted = withScopes(granted, opts.addScopes);
  const target = new URL(await decide(granted, { account: opts.account }));
  expect(target.pathname).toBe('/oauth/callback/yappointment');
  // The redirect goes to the gateway's public URL; with PUBLIC_URL set that may not be where it listens.
  const page = await callback(`${gw.url}${target.pathname}${target.search}`, cookie);
  expect(page.status).toBe(200);
  const status = await connectionOf(gw, apiKey, connectionId);
  expect(status.status).toBe('ACTIVE');
  return connectionId;
}

export async function connectionOf(gw: TestGateway, apiKey: string, id: string) {
  const r = await gql(gw.url, apiKey, CONNECTIONS);
  // `organizations` of a connection whose grant is gone reports NEEDS_REAUTH; nothing else may fail.
  expect((r.body.errors ?? []).filter((e) => e.extensions?.code !== 'NEEDS_REAUTH')).toEqual([]);
  return r.body.data.connections.find((c: { id: string }) => c.id === id) as {
    id: string;
    status: string;
    statusReason: string | null;
    label: string | null;
    organizations: Array<{ nativeId: string; name: string; timezone: string }>;
    lastRefreshedAt: string | null;
    accessTokenExpiresAt: string | null;
  };
}

/** The stored token set of a connection (a test peeking into the gateway, never changing it). */
export async function storedTokens(gw: TestGateway, connectionGlobalId: string) {
  const gid = decodeId(connectionGlobalId);
  if (!gid) throw new Error(`not a global ID: ${connectionGlobalId}`);
  return gw.gateway.services.tokens.forConnection(gid.connectionId).peek('default');
}

/** Calls the emulator's API directly with a Bearer credential (never through the gateway). */
export function emulatorApi(origin: string, credential: string, path: string, body?: unknown) {
  return fetch(`${origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The emulator's own bookings list of a company, read with its secret API key. */
export async function emulatorBookings(origin: string, companyId: string, filter: Record<string, unknown> = {}) {
  const creds = await sandbox(origin, 'credentials');
  const key = creds.api_keys[companyId] as string;
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await emulatorApi(origin, key, '/api/v1/bookings', { filter, page, limit: 100 });
    expect(res.status).toBe(200);
    const doc = await res.json();
    out.push(...doc.data);
    if (!doc.meta.pagination.hasMore) return out;
  }
}

export const BOOKINGS = `query($first: Int, $after: String, $filter: BookingFilter) {
  bookings(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id nativeId status startsAt endsAt timezone createdAt updatedAt raw
      organization { nativeId name timezone } service { nativeId name durationMinutes price { amount currency } } customer { nativeId firstName lastName email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Every booking of `filter`, paging `first` at a time; fails on any GraphQL error. */
export async function allBookings(gw: TestGateway, apiKey: string, filter: Record<string, unknown>, first: number) {
  const out: any[] = [];
  let after: string | null = null;
  for (let i = 0; i < 200; i++) {
    const r: GqlResult = await gql(gw.url, apiKey, BOOKINGS, { first, after, filter });
    expect(r.body.errors).toBeUndefined();
    const page: { edges: any[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = r.body.data.bookings;
    out.push(...page.edges.map((e: any) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}
