import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runEmulator } from '../../src/sandbox/framework/server.js';
import type { EmulatorOptions } from '../../src/sandbox/framework/types.js';
import { createYAppointmentEmulator } from '../../src/sandbox/yappointment/index.js';

/** Shared helpers of the yAppointment emulator tests: everything goes over real HTTP. */

export const CLIENT_ID = 'ya_26374ba38e00bc0a';
export const CLIENT_SECRET = 'qTZAKkoX1PKWnuul6TBbm75S2bo6mKubwINAQyQP';
export const REDIRECT_URI = 'http://127.0.0.1:4000/oauth/callback/yappointment';
export const SALON = '3f61a8f9577777ef06019705';
export const CLINIC = '84afe9ea76600735cc231bc1';
export const GYM = '2d48ecde4d6a58c28cd54079';
export const KEYS: Record<string, string> = {
  [SALON]: 'yapp_sk_test_IBMhR8q6WZTX86R2PaKpKNcI',
  [CLINIC]: 'yapp_sk_test_DseTIhILBLyRwaF9TUDXrreo',
  [GYM]: 'yapp_sk_test_47kpwWWbgRSH8CBxbhqpMP2F',
};
export const ALL_SCOPES = 'bookings:read bookings:write services:read calendars:read customers:read customers:write companies:read';

/** Today's UTC date: seed bookings then lie around the real clock, so "future" ones are bookable. */
export const TODAY = new Date().toISOString().slice(0, 10);

export interface Emu {
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the yAppointment emulator in-process on a random port. */
export function startYApp(options: EmulatorOptions = {}): Promise<Emu> {
  return runEmulator('yappointment', createYAppointmentEmulator, { anchorDate: TODAY, ...options });
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Calls an API route with a Bearer credential and a JSON body (POST) or none (GET). */
export function api(emu: Emu, credential: string | null, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const headers: Record<string, string> = {};
  if (credential) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${emu.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** POST a control route with JSON. */
export function control(emu: Emu, path: string, body?: unknown, method = 'POST') {
  return fetch(`${emu.baseUrl}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function advance(emu: Emu, seconds: number) {
  return control(emu, 'clock', { advanceSeconds: seconds });
}

export async function emulatorNow(emu: Emu): Promise<number> {
  return Date.parse((await (await fetch(`${emu.baseUrl}/__sandbox/clock`)).json()).now);
}

/** Runs the consent page (GET then POST allow) and returns the code from the redirect. */
export async function authorize(
  emu: Emu,
  opts: { scope?: string; account?: string; challenge?: string; state?: string; redirectUri?: string } = {},
): Promise<string> {
  const params = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: opts.redirectUri ?? REDIRECT_URI,
    response_type: 'code',
    scope: opts.scope ?? ALL_SCOPES,
    code_challenge: opts.challenge ?? pkcePair().challenge,
    code_challenge_method: 'S256',
  });
  if (opts.state) params.set('state', opts.state);
  const page = await fetch(`${emu.baseUrl}/oauth/authorize?${params}`);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const form = new URLSearchParams(params);
  form.set('account', opts.account ?? SALON);
  form.set('decision', 'allow');
  const res = await fetch(`${emu.baseUrl}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const location = new URL(res.headers.get('location') as string);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

export function tokenRequest(emu: Emu, body: Record<string, string>, as: 'json' | 'form' = 'json') {
  return fetch(`${emu.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: as === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

/** Full connect flow: consent + code exchange. */
export async function connect(emu: Emu, opts: { scope?: string; account?: string } = {}): Promise<TokenSet> {
  const { verifier, challenge } = pkcePair();
  const code = await authorize(emu, { ...opts, challenge });
  const res = await tokenRequest(emu, {
    grant_type: 'authorization_code',
    code,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (res.status !== 200) throw new Error(`token exchange answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TokenSet;
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

/** A local webhook receiver; `status` decides what it answers. */
export async function startReceiver(status = 200): Promise<{
  url: string;
  received: Received[];
  setStatus(s: number): void;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let answer = status;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    setStatus: (s) => {
      answer = s;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Waits until `check` is true (webhooks caused by API calls are sent after the answer). */
export async function waitFor(check: () => boolean, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
