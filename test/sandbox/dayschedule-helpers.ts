import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Shared helpers of the DaySchedule emulator tests (HTTP only, like a real client). */

export const CLIENT_ID = 'ds_fca37acfa3c4';
export const CLIENT_SECRET = '04b30c39e19bc20fbf2fe87bdf480281';
export const REDIRECT_URI = 'http://127.0.0.1:4000/oauth/callback/dayschedule';
export const API_KEYS = { 1117: 'd186f193b42f6b342a1f1c39c0b420fa', 2245: '4501fbe440b1283e0003ffb04bb4c174' } as const;

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export function control(baseUrl: string, path: string, body?: unknown, method = 'POST') {
  return fetch(`${baseUrl}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function advance(baseUrl: string, seconds: number): Promise<number> {
  const r = await control(baseUrl, 'clock', { advanceSeconds: seconds });
  return Date.parse((await r.json()).now);
}

export async function now(baseUrl: string): Promise<number> {
  return Date.parse((await (await fetch(`${baseUrl}/__sandbox/clock`)).json()).now);
}

/** Submits the consent form and returns the redirect `Location`. */
export async function consent(baseUrl: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}/v1/oauth2/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

/** Runs the consent flow for `orgId` and returns the code. */
export async function authorize(baseUrl: string, orgId: number, redirectUri = REDIRECT_URI): Promise<string> {
  const r = await consent(baseUrl, {
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    response_type: 'code',
    state: 'xyz',
    account: String(orgId),
    decision: 'allow',
  });
  const location = new URL(r.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

export function tokenRequest(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/v1/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function exchange(baseUrl: string, code: string): Promise<Tokens> {
  const r = await tokenRequest(baseUrl, { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  if (r.status !== 200) throw new Error(`exchange failed: ${r.status} ${await r.text()}`);
  return r.json();
}

/** Consent + code exchange for `orgId`. */
export async function login(baseUrl: string, orgId: number): Promise<Tokens> {
  return exchange(baseUrl, await authorize(baseUrl, orgId));
}

export function api(baseUrl: string, path: string, opts: { token?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

/** Reads a whole list by paging until `offset + returned >= total` (the 404 empty page ends it too). */
export async function listAll<T = Record<string, unknown>>(baseUrl: string, path: string, token: string): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(baseUrl, `${path}${sep}limit=100&offset=${offset}`, { token });
    if (r.status === 404) return out;
    const page = await r.json();
    out.push(...page.result);
    offset += page.returned;
    if (offset >= page.total) return out;
  }
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { type: string; trigger_id: string; booking: Record<string, any>; event: Record<string, any> };
}

/** A local webhook receiver; `status` is what it answers. */
export async function receiver(status = 200): Promise<{ url: string; received: Received[]; status: number; close(): Promise<void> }> {
  const received: Received[] = [];
  const state = { status };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(state.status);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/ds?k=s3cr3t`,
    received,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function waitFor(check: () => boolean, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `YYYY-MM-DD` of `ms` in UTC. */
export const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first free slot of `resourceId` from tomorrow on (public availability). */
export async function firstFreeSlot(baseUrl: string, resourceId: string, fromMs: number, extra = ''): Promise<{ time: string; users: number[] }> {
  const start = ymd(fromMs + 86_400_000);
  const end = ymd(fromMs + 8 * 86_400_000);
  const r = await fetch(`${baseUrl}/v2/public/availability/${resourceId}?start=${start}&end=${end}&time_zone=UTC${extra}`);
  const body = await r.json();
  if (r.status !== 200 || body.slots.length === 0) throw new Error(`no slot: ${JSON.stringify(body)}`);
  return body.slots[0].hours[0];
}
