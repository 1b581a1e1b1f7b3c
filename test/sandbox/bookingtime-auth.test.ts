import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { bt, CLIENT_ID, CLIENT_SECRET, jwtPart, ORG_A, ORG_B, ORG_C, REDIRECT, today } from './bookingtime-helpers.js';

let emu: { baseUrl: string; close(): Promise<void> };
let c: ReturnType<typeof bt>;
const EXTRA_REDIRECT = 'http://127.0.0.1:9999/cb?x=1';

beforeAll(async () => {
  emu = await startEmulator('bookingtime', { anchorDate: today(), redirectUris: [EXTRA_REDIRECT] });
  c = bt(emu.baseUrl);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await c.control('reset');
});

const cc = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

describe('bookingtime credentials', () => {
  it('returns the demo credentials of the contract', async () => {
    const { status, body } = await c.control('credentials', undefined, 'GET');
    expect(status).toBe(200);
    expect(body).toEqual({
      platform: 'bookingtime',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      app_id: CLIENT_ID,
      redirect_uris: [
        'http://127.0.0.1:4000/oauth/callback/bookingtime',
        'http://localhost:4000/oauth/callback/bookingtime',
        'https://gateway.example.com/oauth/callback/bookingtime',
        EXTRA_REDIRECT,
      ],
      organizations: [
        { id: ORG_A, name: 'Physiopraxis Alster', timezone: 'Europe/Berlin', permitted: true },
        { id: ORG_B, name: 'Brooklyn Bike Service', timezone: 'America/New_York', permitted: true },
        { id: ORG_C, name: 'Salon Wien Mitte', timezone: 'Europe/Vienna', permitted: false },
      ],
    });
  });
});

describe('bookingtime client credentials', () => {
  it('answers exactly refresh_token, token_type, expires_in with a HS256 JWT', async () => {
    const r = await c.token(cc);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await r.json();
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'refresh_token', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(2_592_000);
    expect(body.refresh_token.startsWith('eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.')).toBe(true);
    expect(jwtPart(body.refresh_token, 0)).toEqual({ typ: 'JWT', alg: 'HS256' });
    const claims = jwtPart(body.refresh_token, 1);
    expect(claims).toMatchObject({ iss: 'https://auth.bookingtime.com', sub: CLIENT_ID, typ: 'refresh', org: null });
    expect((claims.exp as number) - (claims.iat as number)).toBe(2_592_000);
    expect(typeof claims.jti).toBe('string');
  });

  it('accepts multipart/form-data like the SDK', async () => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(cc)) fd.append(k, v);
    const r = await fetch(`${emu.baseUrl}/oauth/token`, { method: 'POST', body: fd });
    expect(r.status).toBe(200);
    expect((await r.json()).expires_in).toBe(2_592_000);
  });

  it('rejects JSON and other media types with invalid_request', async () => {
    const json = await fetch(`${emu.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cc),
    });
    expect(json.status).toBe(400);
    expect((await json.json()).error).toBe('invalid_request');
    const text = await fetch(`${emu.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(400);
    expect((await text.json()).error).toBe('invalid_request');
  });

  it('does not read HTTP Basic', async () => {
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    const noId = await c.token({ grant_type: 'client_credentials' }, { headers: { authorization: basic } });
    expect(noId.status).toBe(400);
    expect((await noId.json()).error).toBe('invalid_request');
    const noSecret = await c.token({ grant_type: 'client_credentials', client_id: CLIENT_ID }, { headers: { authorization: basic } });
    expect(noSecret.status).toBe(401);
    expect((await noSecret.json()).error).toBe('invalid_client');
  });

  it('maps the error table', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }, 400, 'invalid_request'],
      [{ grant_type: 'password', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }, 400, 'unsupported_grant_type'],
      [{ grant_type: 'client_credentials', client_secret: CLIENT_SECRET }, 400, 'invalid_request'],
      [{ grant_type: 'client_credentials', client_id: 'nobody', client_secret: CLIENT_SECRET }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: CLIENT_ID.toLowerCase(), client_secret: CLIENT_SECRET }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: `${CLIENT_SECRET}x` }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: CLIENT_ID }, 401, 'invalid_client'],
      [{ grant_type: 'refresh_token', client_id: CLIENT_ID }, 400, 'invalid_request'],
      [{ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: 'not-a-jwt' }, 400, 'invalid_grant'],
      [{ grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT }, 400, 'invalid_request'],
      [{ grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code: 'nope', redirect_uri: REDIRECT }, 400, 'invalid_grant'],
    ];
    for (const [fields, status, error] of cases) {
      const r = await c.token(fields);
      const body = await r.json();
      expect([r.status, body.error], JSON.stringify(fields)).toEqual([status, error]);
      expect(typeof body.error_description).toBe('string');
    }
  });
});

describe('bookingtime refresh token → access token', () => {
  it('answers exactly access_token, token_type, expires_in bound to the organization', async () => {
    const refresh = await c.refreshToken();
    const r = await c.token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh, organization_id: ORG_A });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const claims = jwtPart(body.access_token, 1);
    expect(claims).toMatchObject({ iss: 'https://auth.bookingtime.com', sub: CLIENT_ID, typ: 'access', org: ORG_A });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
  });

  it('takes an optional client_secret that must be right when sent', async () => {
    const refresh = await c.refreshToken();
    const base = { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh, organization_id: ORG_B };
    expect((await c.token({ ...base, client_secret: CLIENT_SECRET })).status).toBe(200);
    const wrong = await c.token({ ...base, client_secret: 'wrong' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');
  });

  it('refuses organizations that are unknown or not covered, and forged tokens', async () => {
    const refresh = await c.refreshToken();
    const base = { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh };
    for (const org of [ORG_C, `f6${'X'.repeat(30)}`]) {
      const r = await c.token({ ...base, organization_id: org });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe('invalid_grant');
    }
    const [h, p, s] = refresh.split('.');
    const forged = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await (await c.token({ ...base, refresh_token: forged })).json()).error).toBe('invalid_grant');
    // An access token is not a refresh token.
    const access = await c.accessToken(ORG_A, refresh);
    expect((await (await c.token({ ...base, refresh_token: access })).json()).error).toBe('invalid_grant');
  });

  it('issues an organization-less token without organization_id', async () => {
    const access = await c.accessToken(null);
    expect(jwtPart(access, 1).org).toBeNull();
  });

  it('does not rotate the refresh token and counts every grant', async () => {
    await c.control('stats/reset');
    const refresh = await c.refreshToken();
    for (let i = 0; i < 3; i++) await c.accessToken(i % 2 ? ORG_A : ORG_B, refresh);
    await c.token({ grant_type: 'nonsense' });
    await c.token({});
    const stats = (await c.control('stats', undefined, 'GET')).body;
    expect(stats.token).toEqual({ client_credentials: 1, authorization_code: 0, refresh_token: 3, nonsense: 1, none: 1 });
    expect(stats.api).toBe(0);
  });

  it('expires access tokens after 300 s and refresh tokens after 30 days on the emulator clock', async () => {
    const refresh = await c.refreshToken();
    const access = await c.accessToken(ORG_A, refresh);
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: access })).status).toBe(200);
    await c.control('clock', { advanceSeconds: 299 });
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: access })).status).toBe(200);
    await c.control('clock', { advanceSeconds: 1 });
    const dead = await c.api('GET', `/organization/${ORG_A}/show`, { token: access });
    expect(dead.status).toBe(401);
    expect(dead.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(dead.body.messageList[0].text).toBe('Invalid or expired access token.');
    // A fresh access token from the same refresh token still works.
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: await c.accessToken(ORG_A, refresh) })).status).toBe(200);
    await c.control('clock', { advanceSeconds: 2_592_000 - 300 });
    const r = await c.token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh, organization_id: ORG_A });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_grant');
  });
});

describe('bookingtime authorization code', () => {
  const authorize = (q: Record<string, string>) => fetch(`${emu.baseUrl}/oauth/authorize?${new URLSearchParams(q)}`, { redirect: 'manual' });
  const decide = (q: Record<string, string>, account: string, decision: string) =>
    fetch(`${emu.baseUrl}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ ...q, account, decision }),
    });
  const q = { response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, state: 's-1' };

  async function codeFor(org: string, redirectUri = REDIRECT): Promise<string> {
    const r = await decide({ ...q, redirect_uri: redirectUri }, org, 'allow');
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location') as string);
    expect(loc.searchParams.get('state')).toBe('s-1');
    return loc.searchParams.get('code') as string;
  }
  const exchange = (code: string, extra: Record<string, string> = {}) =>
    c.token({ grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code, redirect_uri: REDIRECT, ...extra });

  it('shows the consent page with the two permitted organizations', async () => {
    const r = await authorize({ ...q, scope: 'anything', code_challenge: 'x' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    expect(html).toContain('<form id="consent-form" method="POST" action="/oauth/authorize">');
    expect(html).toContain(`<option value="${ORG_A}">Physiopraxis Alster</option>`);
    expect(html).toContain(`<option value="${ORG_B}">Brooklyn Bike Service</option>`);
    expect(html).not.toContain(ORG_C);
    expect(html).toContain('<input type="hidden" name="state" value="s-1">');
  });

  it('answers consent problems per README §4', async () => {
    expect((await authorize({ ...q, client_id: 'unknown' })).status).toBe(400);
    expect((await authorize({ ...q, redirect_uri: 'http://127.0.0.1:4000/oauth/callback/other' })).status).toBe(400);
    expect((await authorize({ ...q, redirect_uri: `${REDIRECT}/` })).status).toBe(400);
    const bad = await authorize({ ...q, response_type: 'token' });
    expect(bad.status).toBe(302);
    const loc = new URL(bad.headers.get('location') as string);
    expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
    expect(loc.searchParams.get('state')).toBe('s-1');
    expect((await decide(q, ORG_C, 'allow')).status).toBe(400);
    const denied = await decide(q, ORG_A, 'deny');
    expect(new URL(denied.headers.get('location') as string).searchParams.get('error')).toBe('access_denied');
  });

  it('exchanges a code for a refresh token limited to the chosen organization', async () => {
    await c.control('stats/reset');
    const code = await codeFor(ORG_B);
    const r = await exchange(code);
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'refresh_token', 'token_type']);
    expect(body.expires_in).toBe(2_592_000);
    expect(jwtPart(body.refresh_token, 1).org).toBe(ORG_B);
    const other = await c.token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: body.refresh_token, organization_id: ORG_A });
    expect((await other.json()).error).toBe('invalid_grant');
    const access = await c.accessToken(ORG_B, body.refresh_token);
    expect((await c.api('GET', `/organization/${ORG_B}/show`, { token: access })).status).toBe(200);
    const stats = (await c.control('stats', undefined, 'GET')).body;
    expect(stats.token.authorization_code).toBe(1);
    expect(stats.api).toBe(1);
  });

  it('accepts an extra registered redirect URI exactly, query kept', async () => {
    const r = await decide({ ...q, redirect_uri: EXTRA_REDIRECT }, ORG_A, 'allow');
    const loc = new URL(r.headers.get('location') as string);
    expect(`${loc.origin}${loc.pathname}`).toBe('http://127.0.0.1:9999/cb');
    expect(loc.searchParams.get('x')).toBe('1');
    const code = loc.searchParams.get('code') as string;
    expect((await exchange(code, { redirect_uri: EXTRA_REDIRECT })).status).toBe(200);
  });

  it('requires the secret and the same redirect_uri', async () => {
    const code = await codeFor(ORG_A);
    const noSecret = await c.token({ grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT });
    expect(noSecret.status).toBe(401);
    expect((await noSecret.json()).error).toBe('invalid_client');
    const mismatch = await exchange(code, { redirect_uri: 'http://localhost:4000/oauth/callback/bookingtime' });
    expect((await mismatch.json()).error).toBe('invalid_grant');
  });

  it('makes codes single-use and revokes what a reused code issued', async () => {
    const code = await codeFor(ORG_A);
    const refresh = (await (await exchange(code)).json()).refresh_token;
    const access = await c.accessToken(ORG_A, refresh);
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: access })).status).toBe(401);
    const r = await c.token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh, organization_id: ORG_A });
    expect((await r.json()).error).toBe('invalid_grant');
  });

  it('expires codes after 10 minutes', async () => {
    const code = await codeFor(ORG_A);
    await c.control('clock', { advanceSeconds: 600 });
    expect((await (await exchange(code)).json()).error).toBe('invalid_grant');
  });
});

describe('bookingtime revoke-all and reset', () => {
  it('revoke-all kills live tokens and codes; client credentials work again', async () => {
    const refresh = await c.refreshToken();
    const access = await c.accessToken(ORG_A, refresh);
    await fetch(`${emu.baseUrl}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, account: ORG_A, decision: 'allow' }),
    });
    const { body } = await c.control('revoke-all');
    expect(body).toEqual({ revoked: { accessTokens: 1, refreshTokens: 1, codes: 1 } });
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: access })).status).toBe(401);
    const r = await c.token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh, organization_id: ORG_A });
    expect((await r.json()).error).toBe('invalid_grant');
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: await c.accessToken(ORG_A) })).status).toBe(200);
  });

  it('reset forgets tokens', async () => {
    const access = await c.accessToken(ORG_A);
    await c.control('reset');
    expect((await c.api('GET', `/organization/${ORG_A}/show`, { token: access })).status).toBe(401);
  });
});
