import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import {
  API_KEYS,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  advance,
  api,
  authorize,
  consent,
  control,
  exchange,
  login,
  tokenRequest,
} from './dayschedule-helpers.js';

let emu: { baseUrl: string; close(): Promise<void> };
let base: string;
const EXTRA_URI = 'http://127.0.0.1:7777/cb/ds';

beforeAll(async () => {
  emu = await startEmulator('dayschedule', { anchorDate: '2026-03-02', redirectUris: [EXTRA_URI] });
  base = emu.baseUrl;
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(base, 'reset');
});

const authorizeUrl = (params: Record<string, string>) => `${base}/v1/oauth2/authorize?${new URLSearchParams(params)}`;
const good = { client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', state: '12345' };

describe('dayschedule credentials', () => {
  it('serves the exact demo credentials plus extra redirect URIs', async () => {
    const r = await control(base, 'credentials', undefined, 'GET');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      platform: 'dayschedule',
      client_id: 'ds_fca37acfa3c4',
      client_secret: '04b30c39e19bc20fbf2fe87bdf480281',
      app_name: 'unifiedgateway',
      redirect_uris: [
        'http://127.0.0.1:4000/oauth/callback/dayschedule',
        'http://localhost:4000/oauth/callback/dayschedule',
        'https://gateway.example.com/oauth/callback/dayschedule',
        EXTRA_URI,
      ],
      organizations: [
        { id: 1117, name: 'Sunrise Yoga Studio', timezone: 'Asia/Kolkata', owner_user_id: 3241 },
        { id: 2245, name: 'Berlin Career Coaching', timezone: 'Europe/Berlin', owner_user_id: 5120 },
      ],
      api_keys: { '1117': 'd186f193b42f6b342a1f1c39c0b420fa', '2245': '4501fbe440b1283e0003ffb04bb4c174' },
    });
  });
});

describe('dayschedule consent page', () => {
  it('shows the form with both organizations and one hidden input per parameter; scope and PKCE are ignored', async () => {
    const r = await fetch(authorizeUrl({ ...good, scope: 'anything', code_challenge: 'abc', code_challenge_method: 'S256' }));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    expect(html).toContain('<form id="consent-form" method="POST" action="/v1/oauth2/authorize">');
    expect(html).toContain('<option value="1117">Sunrise Yoga Studio</option><option value="2245">Berlin Career Coaching</option>');
    expect(html).toContain('<input type="hidden" name="state" value="12345">');
    expect(html).toContain('<input type="hidden" name="code_challenge" value="abc">');
    expect(html).toContain('id="allow"');
  });

  it('refuses an unknown client or redirect URI with a 400 page and no redirect', async () => {
    for (const params of [
      { ...good, client_id: 'ds_nope' },
      { ...good, redirect_uri: 'http://127.0.0.1:4000/oauth/callback/dayschedule/' },
      { client_id: CLIENT_ID, response_type: 'code' },
    ]) {
      const r = await fetch(authorizeUrl(params), { redirect: 'manual' });
      expect(r.status).toBe(400);
      expect(r.headers.get('location')).toBeNull();
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('redirects other problems to the redirect URI', async () => {
    const r = await fetch(authorizeUrl({ ...good, response_type: 'token' }), { redirect: 'manual' });
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location') as string);
    expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
    expect(loc.searchParams.get('state')).toBe('12345');
  });

  it('allow redirects with code and state; deny with access_denied; state omitted when absent', async () => {
    const allow = await consent(base, { ...good, account: '2245', decision: 'allow' });
    expect(allow.status).toBe(302);
    const loc = new URL(allow.headers.get('location') as string);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT_URI);
    expect(loc.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(loc.searchParams.get('state')).toBe('12345');

    const noState = await consent(base, { client_id: CLIENT_ID, redirect_uri: EXTRA_URI, response_type: 'code', account: '1117', decision: 'allow' });
    const loc2 = new URL(noState.headers.get('location') as string);
    expect(loc2.origin + loc2.pathname).toBe(EXTRA_URI);
    expect(loc2.searchParams.has('state')).toBe(false);

    const deny = await consent(base, { ...good, account: '1117', decision: 'deny' });
    const loc3 = new URL(deny.headers.get('location') as string);
    expect(loc3.searchParams.get('error')).toBe('access_denied');
    expect(loc3.searchParams.get('code')).toBeNull();

    const badAccount = await consent(base, { ...good, account: '9999', decision: 'allow' });
    expect(badAccount.status).toBe(400);
  });

  it('binds the grant to the chosen organization', async () => {
    const t2245 = await login(base, 2245);
    const r = await api(base, '/v1/users', { token: t2245.access_token });
    const body = await r.json();
    expect(body.result.map((u: { org_id: number }) => u.org_id)).toEqual([2245, 2245]);
  });
});

describe('dayschedule token endpoint', () => {
  it('exchanges a code for exactly the four documented fields, no-store', async () => {
    const code = await authorize(base, 1117);
    const r = await tokenRequest(base, {
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT_URI,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    const body = await r.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(body.access_token).toMatch(/^[0-9a-f]{40}$/);
    expect(body.refresh_token).toMatch(/^[0-9a-f]{48}$/);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
  });

  it('accepts only JSON objects', async () => {
    const form = await fetch(`${base}/v1/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    expect(form.status).toBe(400);
    expect((await form.json()).error).toBe('invalid_request');
    for (const body of ['[1,2]', '"str"', '{bad json']) {
      const r = await tokenRequest(base, body);
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe('invalid_request');
    }
  });

  it('requires client credentials in the body (Basic is not read)', async () => {
    const code = await authorize(base, 1117);
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    const r = await tokenRequest(base, { grant_type: 'authorization_code', code }, { authorization: basic });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="dayschedule"');
    expect((await r.json()).error).toBe('invalid_client');
    const wrong = await tokenRequest(base, { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');
    const unknown = await tokenRequest(base, { grant_type: 'authorization_code', code, client_id: 'ds_other', client_secret: CLIENT_SECRET });
    expect(unknown.status).toBe(401);
    // The code was not consumed by the failed attempts.
    expect((await exchange(base, code)).access_token).toMatch(/^[0-9a-f]{40}$/);
  });

  it('classifies grant errors per the contract table', async () => {
    const creds = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    const cases: Array<[unknown, number, string]> = [
      [{ ...creds }, 400, 'invalid_request'],
      [{ ...creds, grant_type: 'client_credentials' }, 400, 'unsupported_grant_type'],
      [{ ...creds, grant_type: 'authorization_code' }, 400, 'invalid_request'],
      [{ ...creds, grant_type: 'refresh_token' }, 400, 'invalid_request'],
      [{ ...creds, grant_type: 'authorization_code', code: 'unknown' }, 400, 'invalid_grant'],
      [{ ...creds, grant_type: 'refresh_token', refresh_token: 'f'.repeat(48) }, 400, 'invalid_grant'],
    ];
    for (const [body, status, error] of cases) {
      const r = await tokenRequest(base, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      const json = await r.json();
      expect(json.error).toBe(error);
      expect(typeof json.error_description).toBe('string');
    }
    const code = await authorize(base, 1117);
    const mismatch = await tokenRequest(base, { ...creds, grant_type: 'authorization_code', code, redirect_uri: EXTRA_URI });
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).error).toBe('invalid_grant');
  });

  it('codes expire after 10 minutes on the emulator clock', async () => {
    const code = await authorize(base, 1117);
    await advance(base, 600);
    const r = await tokenRequest(base, { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_grant');
  });

  it('a reused code is invalid_grant and revokes every token issued from it', async () => {
    const code = await authorize(base, 1117);
    const first = await exchange(base, code);
    const refreshed = await (
      await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET })
    ).json();
    expect((await api(base, '/v1/users', { token: refreshed.access_token })).status).toBe(200);
    const again = await tokenRequest(base, { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
    for (const token of [first.access_token, refreshed.access_token]) {
      const r = await api(base, '/v1/users', { token });
      expect(r.status).toBe(401);
    }
    const rt = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: refreshed.refresh_token,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect((await rt.json()).error).toBe('invalid_grant');
  });

  it('rotates refresh tokens: the presented one dies, the rest of the grant stays valid', async () => {
    const t = await login(base, 1117);
    const refresh = (refresh_token: string) =>
      tokenRequest(base, { grant_type: 'refresh_token', refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    const r1 = await refresh(t.refresh_token);
    expect(r1.status).toBe(200);
    const t1 = await r1.json();
    expect(Object.keys(t1).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(t1.refresh_token).not.toBe(t.refresh_token);
    const reused = await refresh(t.refresh_token);
    expect(reused.status).toBe(400);
    expect((await reused.json()).error).toBe('invalid_grant');
    // The old access token, the new pair and the new refresh token all still work.
    expect((await api(base, '/v1/users', { token: t.access_token })).status).toBe(200);
    expect((await api(base, '/v1/users', { token: t1.access_token })).status).toBe(200);
    expect((await refresh(t1.refresh_token)).status).toBe(200);
  });

  it('access tokens die after 3600 s; refresh tokens have no time limit', async () => {
    const t = await login(base, 1117);
    await advance(base, 3599);
    expect((await api(base, '/v1/users', { token: t.access_token })).status).toBe(200);
    await advance(base, 1);
    const dead = await api(base, '/v1/users', { token: t.access_token });
    expect(dead.status).toBe(401);
    expect(dead.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await dead.json()).toEqual({ statusCode: 401, message: 'Unauthorized' });
    await advance(base, 90 * 86_400);
    const r = await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(r.status).toBe(200);
  });

  it('counts token requests by grant type', async () => {
    const t = await login(base, 1117);
    await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    await tokenRequest(base, { client_id: CLIENT_ID });
    await tokenRequest(base, { grant_type: 'password' });
    const stats = await (await control(base, 'stats', undefined, 'GET')).json();
    expect(stats.token).toEqual({ authorization_code: 1, refresh_token: 1, none: 1, password: 1 });
    expect(stats.unauthorized).toBe(2);
  });
});

describe('dayschedule API authentication', () => {
  it('answers 401 with a Bearer challenge without credentials', async () => {
    const r = await api(base, '/v1/bookings');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expect(await r.json()).toEqual({ statusCode: 401, message: 'Unauthorized' });
    const basic = await fetch(`${base}/v1/bookings`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(basic.status).toBe(401);
  });

  it('accepts the seeded apiKey in the query, scoped to its organization', async () => {
    const r = await api(base, `/v1/users?apiKey=${API_KEYS[2245]}`);
    expect(r.status).toBe(200);
    expect((await r.json()).result[0].org_id).toBe(2245);
    const bad = await api(base, `/v1/users?apiKey=${API_KEYS[2245].toUpperCase()}`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('evaluates the Bearer token when both are sent', async () => {
    const t = await login(base, 1117);
    const r = await api(base, `/v1/users?apiKey=${API_KEYS[2245]}`, { token: t.access_token });
    expect((await r.json()).result[0].org_id).toBe(1117);
    const bad = await api(base, `/v1/users?apiKey=${API_KEYS[2245]}`, { token: 'f'.repeat(40) });
    expect(bad.status).toBe(401);
  });

  it('bearer scheme name is case-insensitive', async () => {
    const t = await login(base, 1117);
    const r = await fetch(`${base}/v1/users`, { headers: { authorization: `bEaReR ${t.access_token}` } });
    expect(r.status).toBe(200);
  });

  it('revoke-all kills every code and token but keeps API keys', async () => {
    const t = await login(base, 1117);
    await login(base, 2245);
    await authorize(base, 1117);
    const r = await control(base, 'revoke-all');
    expect(await r.json()).toEqual({ revoked: { accessTokens: 2, refreshTokens: 2, codes: 1 } });
    expect((await api(base, '/v1/users', { token: t.access_token })).status).toBe(401);
    const rt = await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect((await rt.json()).error).toBe('invalid_grant');
    expect((await api(base, `/v1/users?apiKey=${API_KEYS[1117]}`)).status).toBe(200);
  });

  it('reset drops tokens too', async () => {
    const t = await login(base, 1117);
    await control(base, 'reset');
    expect((await api(base, '/v1/users', { token: t.access_token })).status).toBe(401);
  });
});
