import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ALL_SCOPES,
  advance,
  api,
  authorize,
  CLIENT_ID,
  CLIENT_SECRET,
  CLINIC,
  connect,
  control,
  type Emu,
  GYM,
  KEYS,
  pkcePair,
  REDIRECT_URI,
  SALON,
  startYApp,
  tokenRequest,
} from './yappointment-helpers.js';

let emu: Emu;
beforeAll(async () => {
  emu = await startYApp({ anchorDate: '2026-03-02', redirectUris: ['https://extra.example/cb'] });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(emu, 'reset');
});

const authorizeUrl = (overrides: Record<string, string | null> = {}) => {
  const p = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'bookings:read services:read',
    state: 'xyz',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) p.delete(k);
    else p.set(k, v);
  }
  return `${emu.baseUrl}/oauth/authorize?${p}`;
};

const exchange = (code: string, verifier: string, extra: Record<string, string> = {}) =>
  tokenRequest(emu, {
    grant_type: 'authorization_code',
    code,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...extra,
  });

const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
  tokenRequest(emu, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...extra });

const revoke = (token: string | undefined, as: 'json' | 'form' = 'json', secret = CLIENT_SECRET) => {
  const body: Record<string, string> = { client_id: CLIENT_ID, client_secret: secret };
  if (token !== undefined) body.token = token;
  return fetch(`${emu.baseUrl}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: as === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
};

async function expectOAuthError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
}

describe('yAppointment credentials', () => {
  it('returns the demo credentials of the contract, with extra redirect URIs appended', async () => {
    const res = await fetch(`${emu.baseUrl}/__sandbox/credentials`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      platform: 'yappointment',
      client_id: 'ya_26374ba38e00bc0a',
      client_secret: 'qTZAKkoX1PKWnuul6TBbm75S2bo6mKubwINAQyQP',
      redirect_uris: [
        'http://127.0.0.1:4000/oauth/callback/yappointment',
        'http://localhost:4000/oauth/callback/yappointment',
        'https://gateway.example.com/oauth/callback/yappointment',
        'https://extra.example/cb',
      ],
      scopes: ['bookings:read', 'bookings:write', 'services:read', 'calendars:read', 'customers:read', 'customers:write', 'companies:read'],
      companies: [
        { id: '3f61a8f9577777ef06019705', name: 'Test Salon', timezone: 'America/New_York' },
        { id: '84afe9ea76600735cc231bc1', name: 'Test Clinic', timezone: 'Europe/London' },
        { id: '2d48ecde4d6a58c28cd54079', name: 'Test Gym', timezone: 'Australia/Sydney' },
      ],
      api_keys: {
        '3f61a8f9577777ef06019705': 'yapp_sk_test_IBMhR8q6WZTX86R2PaKpKNcI',
        '84afe9ea76600735cc231bc1': 'yapp_sk_test_DseTIhILBLyRwaF9TUDXrreo',
        '2d48ecde4d6a58c28cd54079': 'yapp_sk_test_47kpwWWbgRSH8CBxbhqpMP2F',
      },
    });
  });
});

describe('yAppointment consent page (§2.1)', () => {
  it('shows the app, the scopes, one hidden input per parameter and the three companies', async () => {
    const res = await fetch(authorizeUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<form id="consent-form" method="POST" action="/oauth/authorize">');
    expect(html).toContain('<input type="hidden" name="code_challenge" value="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM">');
    expect(html).toContain('<li>bookings:read</li><li>services:read</li>');
    expect(html).toContain(
      `<option value="${SALON}">Test Salon</option><option value="${CLINIC}">Test Clinic</option><option value="${GYM}">Test Gym</option>`,
    );
    expect(html).toContain('id="allow"');
    expect(html).toContain('id="deny"');
  });

  it('answers unknown clients and unregistered or missing redirect URIs with a 400 page, no redirect', async () => {
    for (const url of [
      authorizeUrl({ client_id: 'ya_nope' }),
      authorizeUrl({ redirect_uri: 'http://127.0.0.1:4000/oauth/callback/other' }),
      authorizeUrl({ redirect_uri: 'http://127.0.0.1:4000/oauth/callback/yappointment/' }),
      authorizeUrl({ redirect_uri: null }),
    ]) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('accepts a redirect URI registered through options.redirectUris', async () => {
    expect((await fetch(authorizeUrl({ redirect_uri: 'https://extra.example/cb' }))).status).toBe(200);
  });

  it.each([
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ scope: null }, 'invalid_request'],
    [{ code_challenge: null }, 'invalid_request'],
    [{ code_challenge: 'tooShort' }, 'invalid_request'],
    [{ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=' }, 'invalid_request'],
    [{ code_challenge_method: null }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ scope: 'bookings:read calendar:read' }, 'invalid_scope'],
    [{ scope: 'read:profile' }, 'invalid_scope'],
    [{ scope: 'bookings:read,services:read' }, 'invalid_scope'],
  ])('redirects %j with error %s and the state', async (overrides, error) => {
    const res = await fetch(authorizeUrl(overrides as Record<string, string | null>), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('omits state when none was sent', async () => {
    const res = await fetch(authorizeUrl({ state: null, code_challenge_method: 'plain' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.has('state')).toBe(false);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('POST allow redirects with a code and the state; deny with access_denied; a bad account is a 400 page', async () => {
    const params = new URL(authorizeUrl()).searchParams;
    const post = (extra: Record<string, string>) => {
      const form = new URLSearchParams(params);
      for (const [k, v] of Object.entries(extra)) form.set(k, v);
      return fetch(`${emu.baseUrl}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    };
    const allow = await post({ account: CLINIC, decision: 'allow' });
    expect(allow.status).toBe(302);
    const ok = new URL(allow.headers.get('location') as string);
    expect(ok.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(ok.searchParams.get('state')).toBe('xyz');
    const deny = new URL((await post({ account: CLINIC, decision: 'deny' })).headers.get('location') as string);
    expect(deny.searchParams.get('error')).toBe('access_denied');
    expect(deny.searchParams.get('state')).toBe('xyz');
    expect(deny.searchParams.has('code')).toBe(false);
    expect((await post({ account: '000000000000000000000000', decision: 'allow' })).status).toBe(400);
    // POST re-validates: a plain challenge method is refused again.
    const replay = await post({ account: CLINIC, decision: 'allow', code_challenge_method: 'plain' });
    expect(new URL(replay.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request');
  });
});

describe('yAppointment token endpoint (§2.2)', () => {
  it('passes the RFC 7636 Appendix B vector and answers exactly the four fields', async () => {
    const code = await authorize(emu, { challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', account: CLINIC });
    const res = await exchange(code, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(body.access_token).toMatch(/^yapp_at_[A-Za-z0-9]{40}$/);
    expect(body.refresh_token).toMatch(/^yapp_rt_[A-Za-z0-9]{40}$/);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    // The grant is for the chosen company.
    const me = await (await api(emu, body.access_token, '/api/v1/me')).json();
    expect(me.data._id).toBe(CLINIC);
  });

  it('accepts a form-encoded exchange', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize(emu, { challenge });
    const res = await tokenRequest(
      emu,
      { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      'form',
    );
    expect(res.status).toBe(200);
  });

  it('refuses wrong, missing, too short and badly-charactered verifiers with invalid_grant', async () => {
    const { challenge } = pkcePair();
    const code = await authorize(emu, { challenge });
    await expectOAuthError(await exchange(code, pkcePair().verifier), 400, 'invalid_grant');
    const noVerifier = await tokenRequest(emu, {
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT_URI,
    });
    await expectOAuthError(noVerifier, 400, 'invalid_grant');
    // 42 characters: one short of RFC 7636's minimum.
    await expectOAuthError(await exchange(code, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX'), 400, 'invalid_grant');
    await expectOAuthError(await exchange(code, `${'a'.repeat(42)}+`), 400, 'invalid_grant');
    // A 43-character verifier whose challenge matches works once the vector is right.
    const vectorCode = await authorize(emu, { challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' });
    await expectOAuthError(await exchange(vectorCode, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK'), 400, 'invalid_grant');
    expect((await exchange(vectorCode, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).status).toBe(200);
  });

  it('requires redirect_uri (invalid_request) and that it equals the authorize one (invalid_grant)', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize(emu, { challenge });
    const missing = await tokenRequest(emu, {
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code_verifier: verifier,
    });
    await expectOAuthError(missing, 400, 'invalid_request');
    await expectOAuthError(await exchange(code, verifier, { redirect_uri: 'http://localhost:4000/oauth/callback/yappointment' }), 400, 'invalid_grant');
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it('makes codes single-use: reuse is invalid_grant and revokes the tokens the code issued', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize(emu, { challenge });
    const first = await (await exchange(code, verifier)).json();
    expect((await api(emu, first.access_token, '/api/v1/me')).status).toBe(200);
    await expectOAuthError(await exchange(code, verifier), 400, 'invalid_grant');
    expect((await api(emu, first.access_token, '/api/v1/me')).status).toBe(401);
    await expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
  });

  it('expires codes after 10 minutes on the emulator clock', async () => {
    const a = pkcePair();
    const b = pkcePair();
    const early = await authorize(emu, { challenge: a.challenge });
    const late = await authorize(emu, { challenge: b.challenge });
    await advance(emu, 590);
    expect((await exchange(early, a.verifier)).status).toBe(200);
    await advance(emu, 10);
    await expectOAuthError(await exchange(late, b.verifier), 400, 'invalid_grant');
  });

  it('checks the client, the content type and the grant type', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize(emu, { challenge });
    await expectOAuthError(await exchange(code, verifier, { client_secret: 'wrong' }), 401, 'invalid_client');
    await expectOAuthError(await exchange(code, verifier, { client_id: 'ya_0000000000000000' }), 401, 'invalid_client');
    // HTTP Basic is not read.
    const basic = await fetch(`${emu.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
      body: JSON.stringify({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe('Basic realm="yappointment"');
    expect((await basic.json()).error).toBe('invalid_client');
    const plain = await fetch(`${emu.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=refresh_token' });
    await expectOAuthError(plain, 400, 'invalid_request');
    await expectOAuthError(await tokenRequest(emu, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }), 400, 'invalid_request');
    await expectOAuthError(
      await tokenRequest(emu, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
      400,
      'unsupported_grant_type',
    );
    await expectOAuthError(
      await tokenRequest(emu, {
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }),
      400,
      'invalid_request',
    );
    await expectOAuthError(await exchange('not-a-code', verifier), 400, 'invalid_grant');
    await expectOAuthError(await refresh(''), 400, 'invalid_request');
    // The code survived all of that.
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it('rotates refresh tokens strictly; reuse kills the whole grant', async () => {
    const first = await connect(emu);
    const second = await (await refresh(first.refresh_token, { scope: 'bookings:read' })).json();
    expect(Object.keys(second).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    // A scope sent with the refresh is ignored: the new token still has every scope.
    expect((await api(emu, second.access_token, '/api/v1/services', {})).status).toBe(200);
    const third = await (await refresh(second.refresh_token)).json();
    expect((await api(emu, third.access_token, '/api/v1/me')).status).toBe(200);
    // Replaying the rotated-out token: invalid_grant and every token of the grant dies.
    await expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    expect((await api(emu, third.access_token, '/api/v1/me')).status).toBe(401);
    await expectOAuthError(await refresh(third.refresh_token), 400, 'invalid_grant');
    // Other grants are untouched.
    const other = await connect(emu);
    expect((await api(emu, other.access_token, '/api/v1/me')).status).toBe(200);
  });

  it('expires access tokens after 60 minutes and refresh tokens after 90 days', async () => {
    const t = await connect(emu);
    await advance(emu, 3590);
    expect((await api(emu, t.access_token, '/api/v1/me')).status).toBe(200);
    await advance(emu, 10);
    const expired = await api(emu, t.access_token, '/api/v1/me');
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="/);
    const body = await expired.json();
    expect(body.status).toBe(false);
    expect(body.error.code).toBe('UNAUTHORIZED');
    const next = await (await refresh(t.refresh_token)).json();
    expect((await api(emu, next.access_token, '/api/v1/me')).status).toBe(200);
    await advance(emu, 90 * 86_400 - 10);
    const stillOk = await refresh(next.refresh_token);
    expect(stillOk.status).toBe(200);
    const last = await stillOk.json();
    await advance(emu, 90 * 86_400);
    await expectOAuthError(await refresh(last.refresh_token), 400, 'invalid_grant');
  });

  it('counts token requests by grant type', async () => {
    await control(emu, 'stats/reset');
    const stats0 = await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json();
    expect(stats0.token).toEqual({ authorization_code: 0, refresh_token: 0 });
    const t = await connect(emu);
    await refresh(t.refresh_token);
    await tokenRequest(emu, { client_id: CLIENT_ID });
    const stats = await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json();
    expect(stats.token).toEqual({ authorization_code: 1, refresh_token: 1, none: 1 });
    expect(stats.unauthorized).toBe(1);
  });
});

describe('yAppointment revocation (§2.3)', () => {
  it('revoking the access token revokes the whole grant', async () => {
    const t = await connect(emu);
    const res = await revoke(t.access_token);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await api(emu, t.access_token, '/api/v1/me')).status).toBe(401);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
  });

  it('revoking the refresh token (form body) kills the access token too', async () => {
    const t = await connect(emu);
    expect((await revoke(t.refresh_token, 'form')).status).toBe(200);
    expect((await api(emu, t.access_token, '/api/v1/me')).status).toBe(401);
  });

  it('answers 200 for unknown tokens, 401 for a bad client, 400 without token, and counts requests', async () => {
    await control(emu, 'stats/reset');
    const t = await connect(emu);
    expect((await revoke('yapp_at_unknown')).status).toBe(200);
    await expectOAuthError(await revoke(t.access_token, 'json', 'wrong'), 401, 'invalid_client');
    await expectOAuthError(await revoke(undefined), 400, 'invalid_request');
    const plain = await fetch(`${emu.baseUrl}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    await expectOAuthError(plain, 400, 'invalid_request');
    // The bad-client attempt had no effect.
    expect((await api(emu, t.access_token, '/api/v1/me')).status).toBe(200);
    expect((await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json()).revoke).toBe(4);
  });
});

describe('yAppointment Bearer checks and scopes (§2.4)', () => {
  it('answers 401 with a bare Bearer challenge without credentials and refuses query-string tokens', async () => {
    const t = await connect(emu);
    const res = await api(emu, null, '/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const body = await res.json();
    expect(body).toEqual({ status: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) }, meta: { timestamp: expect.any(Number) } });
    expect((await fetch(`${emu.baseUrl}/api/v1/me?access_token=${t.access_token}`)).status).toBe(401);
    const unknown = await api(emu, 'yapp_at_nope', '/api/v1/me');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    // The scheme name is case-insensitive.
    const lower = await fetch(`${emu.baseUrl}/api/v1/me`, { headers: { authorization: `bearer ${t.access_token}` } });
    expect(lower.status).toBe(200);
  });

  it('enforces the §2.4 scope table with 403 insufficient_scope challenges', async () => {
    await control(emu, 'stats/reset');
    const t = await connect(emu, { scope: 'bookings:read' });
    expect((await api(emu, t.access_token, '/api/v1/me')).status).toBe(200);
    expect((await api(emu, t.access_token, '/api/v1/bookings', {})).status).toBe(200);
    const cases: Array<[string, unknown, string, string]> = [
      ['/api/v1/services', {}, 'POST', 'services:read'],
      ['/api/v1/employees', {}, 'POST', 'services:read'],
      ['/api/v1/customers', {}, 'POST', 'customers:read'],
      ['/api/v1/customers/create', {}, 'POST', 'customers:write'],
      ['/api/v1/bookings/create', {}, 'POST', 'bookings:write'],
      ['/api/v1/bookings/bkg_200000001/cancel', {}, 'POST', 'bookings:write'],
      ['/api/v1/slots', {}, 'POST', 'calendars:read'],
    ];
    for (const [path, body, method, scope] of cases) {
      const res = await api(emu, t.access_token, path, body, method);
      expect(res.status, path).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${scope}"`);
      expect((await res.json()).error.code).toBe('FORBIDDEN');
    }
    const only = await connect(emu, { scope: 'companies:read' });
    expect((await api(emu, only.access_token, '/api/v1/bookings/bkg_200000001')).status).toBe(403);
    expect((await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json()).forbidden).toBe(8);
  });

  it('accepts each company API key for its own company with every scope', async () => {
    for (const [company, key] of Object.entries(KEYS)) {
      const me = await (await api(emu, key, '/api/v1/me')).json();
      expect(me.data._id).toBe(company);
      expect((await api(emu, key, '/api/v1/customers/create', {})).status).toBe(400);
    }
    expect((await api(emu, 'yapp_sk_test_IBMhR8q6WZTX86R2PaKpKNcX', '/api/v1/me')).status).toBe(401);
  });
});

describe('yAppointment revoke-all and reset', () => {
  it('revoke-all kills every grant, code and token and reports the counts; API keys survive', async () => {
    const a = await connect(emu);
    const b = await connect(emu);
    await refresh(b.refresh_token);
    const { verifier, challenge } = pkcePair();
    const pending = await authorize(emu, { challenge });
    const res = await control(emu, 'revoke-all');
    expect(await res.json()).toEqual({ revoked: { accessTokens: 3, refreshTokens: 2, codes: 1 } });
    expect((await api(emu, a.access_token, '/api/v1/me')).status).toBe(401);
    await expectOAuthError(await refresh(a.refresh_token), 400, 'invalid_grant');
    await expectOAuthError(await exchange(pending, verifier), 400, 'invalid_grant');
    expect((await api(emu, KEYS[SALON], '/api/v1/me')).status).toBe(200);
  });

  it('reset forgets tokens', async () => {
    const t = await connect(emu);
    await control(emu, 'reset');
    expect((await api(emu, t.access_token, '/api/v1/me')).status).toBe(401);
  });

  it('grants the scopes requested at consent, deduplicated', async () => {
    const t = await connect(emu, { scope: `${ALL_SCOPES} bookings:read` });
    expect((await api(emu, t.access_token, '/api/v1/slots', {})).status).toBe(400);
  });
});
