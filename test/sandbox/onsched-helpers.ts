import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { type EmulatorOptions, startEmulator } from '../../src/sandbox/index.js';

/** Shared helpers of the OnSched emulator tests: HTTP only, the way a connector talks to it. */

export const SEED_REFRESH = 'Ezjaxqlu3buklKF8hdRCBj';
export const HARBOR = {
  id: 'f8dc03c7-b8dc-43f6-9ae9-8c557b2e9013',
  key: 'wFmDio2DDdsVcbettsTkridYsmBb33n8',
  clientId: 'e1gTeCUGmmhLyPNxHSxC',
  manhattan: 'a90e952a-4641-446b-a61a-eb684eab84c5',
  denver: 'b8e79be4-df1d-4c5d-9a22-0c2ffdc95f37',
};
export const MAPLE = {
  id: '2c3a33ac-1a68-45bd-8955-8c984cd4780e',
  key: 'vyJE3NVKuQ4lZpcnGvHxTPtdS5CmNaFh',
  clientId: 'BKMxiQhiAi5y3hiKoxPi',
  vancouver: 'e2825079-2be6-4fd9-ad3c-335e35857458',
};
export const THAMES = {
  id: '11530702-ef73-4b7e-a981-462934103199',
  key: 'n47EJMqgBDWOYmUSZQEzT9JRVBgC7CPq',
  clientId: 'ERySkm0ItBQwd1hDwBlS',
  london: '9050b27d-277c-4b10-b4a3-98fca864c3ad',
};
export const INITIAL_ASSESSMENT = '6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11';
export const PRIYA = '3d9b2f4e-8a71-4c0e-b5d2-7e1f9a6c4b20';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

export type Json = Record<string, any>;

export interface Emu {
  base: string;
  close(): Promise<void>;
  /** The current refresh token of the dashboard session (rotated by `token()`). */
  refresh: string;
  /** Exchanges the current refresh token for an access token and keeps the successor. */
  token(key?: string): Promise<string>;
  /** Resets the emulator and the helper's refresh token. */
  reset(): Promise<void>;
}

export async function startOnSched(options: EmulatorOptions = {}): Promise<Emu> {
  const e = await startEmulator('onsched', options);
  const emu: Emu = {
    base: e.baseUrl,
    close: e.close,
    refresh: SEED_REFRESH,
    async token(key = HARBOR.key) {
      const res = await tokenRequest(emu.base, { grant_type: 'refresh_token', refresh_token: emu.refresh }, key);
      expect(res.status).toBe(200);
      const body = res.body as { access_token: string; refresh_token: string };
      emu.refresh = body.refresh_token;
      return body.access_token;
    },
    async reset() {
      expect((await control(emu.base, 'reset')).status).toBe(200);
      emu.refresh = SEED_REFRESH;
    },
  };
  return emu;
}

export async function control(base: string, path: string, body?: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${base}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function advance(base: string, seconds: number): Promise<void> {
  expect((await control(base, 'clock', { advanceSeconds: seconds })).status).toBe(200);
}

export async function now(base: string): Promise<number> {
  return Date.parse(((await (await fetch(`${base}/__sandbox/clock`)).json()) as { now: string }).now);
}

/** `POST /v3/auth/token`, form-encoded unless `json`. */
export async function tokenRequest(
  base: string,
  params: Record<string, string>,
  key: string | null = HARBOR.key,
  opts: { json?: boolean } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = { 'content-type': opts.json ? 'application/json' : 'application/x-www-form-urlencoded' };
  if (key !== null) headers['x-api-key'] = key;
  const res = await fetch(`${base}/v3/auth/token`, {
    method: 'POST',
    headers,
    body: opts.json ? JSON.stringify(params) : new URLSearchParams(params).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

/** An API call with Bearer + `x-api-key` (either may be null to leave it out). */
export async function api(
  base: string,
  token: string | null,
  path: string,
  init: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string>; raw?: string; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = { ...init.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const key = init.key === undefined ? HARBOR.key : init.key;
  if (key !== null) headers['x-api-key'] = key;
  let body: string | undefined;
  if (init.body !== undefined || init.raw !== undefined) {
    headers['content-type'] = init.contentType ?? 'application/json';
    body = init.raw ?? JSON.stringify(init.body);
  }
  const res = await fetch(`${base}${path}`, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} };
}

/** Every page of a list, following `hasMore` with offset/limit. */
export async function listAll(base: string, token: string, path: string, key = HARBOR.key): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; offset += 100) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api(base, token, `${path}${sep}offset=${offset}&limit=100`, { key });
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    if (!res.body.hasMore) return out;
  }
}

export function decodeJwt(token: string): Json {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Json;
}

export function expectError(res: { status: number; body: Json }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body.status).toBe('error');
  expect(res.body.code).toBe(code);
  expect(typeof res.body.message).toBe('string');
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Json;
}

/** A local webhook receiver; `status` is what it answers. */
export async function startReceiver(status = 200): Promise<{ url: string; received: Received[]; setStatus(s: number): void; close(): Promise<void> }> {
  const received: Received[] = [];
  let answer = status;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json });
      res.writeHead(answer);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/onsched`,
    received,
    setStatus: (s) => {
      answer = s;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Waits until `check` holds (webhooks caused by API calls arrive after the answer). */
export async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The first free slot of a service from the availability route, at least `daysAhead` days after
 * the emulator's now (local dates of the location).
 */
export async function freeSlot(
  base: string,
  token: string,
  opts: { serviceId?: string; locationId?: string; key?: string; daysAhead?: number; resourceId?: string } = {},
): Promise<Json> {
  const from = new Date((await now(base)) + (opts.daysAhead ?? 2) * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.parse(from) + 10 * 86_400_000).toISOString().slice(0, 10);
  const q = new URLSearchParams();
  if (opts.locationId) q.set('locationId', opts.locationId);
  if (opts.resourceId) q.set('resourceId', opts.resourceId);
  const res = await api(base, token, `/consumer/v1/availability/${opts.serviceId ?? INITIAL_ASSESSMENT}/${from}/${to}?${q}`, { key: opts.key });
  expect(res.status).toBe(200);
  expect(res.body.availableTimes.length).toBeGreaterThan(0);
  return res.body.availableTimes[0];
}

/** Books the first free slot with `completeBooking` (default BK) and returns the appointment. */
export async function book(base: string, token: string, opts: { complete?: string; daysAhead?: number; body?: Json } = {}): Promise<Json> {
  const slot = await freeSlot(base, token, { daysAhead: opts.daysAhead });
  const res = await api(base, token, `/consumer/v1/appointments?completeBooking=${opts.complete ?? 'BK'}`, {
    body: {
      serviceId: INITIAL_ASSESSMENT,
      locationId: HARBOR.manhattan,
      resourceId: slot.resourceId,
      startDateTime: slot.startDateTime,
      endDateTime: slot.endDateTime,
      name: 'Zoë Müller',
      email: 'zoe.muller@example.com',
      ...opts.body,
    },
  });
  expect(res.status).toBe(200);
  return res.body;
}
