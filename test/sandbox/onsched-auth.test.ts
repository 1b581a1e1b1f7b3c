import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  advance,
  api,
  control,
  decodeJwt,
  type Emu,
  expectError,
  HARBOR,
  MAPLE,
  now,
  SEED_REFRESH,
  startOnSched,
  THAMES,
  tokenRequest,
} from './onsched-helpers.js';

let emu: Emu;
beforeAll(async () => {
  emu = await startOnSched();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const refreshParams = (refresh_token: string) => ({ grant_type: 'refresh_token', refresh_token });

describe('onsched credentials', () => {
  it('serves the demo credentials of the contract', async () => {
    const res = await fetch(`${emu.base}/__sandbox/credentials`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      platform: 'onsched',
      refresh_token: SEED_REFRESH,
      user_email: 'owner@onsched-demo.example',
      companies: [
        {
          id: HARBOR.id,
          name: 'Harbor Physio',
          timezone: 'America/New_York',
          api_key: HARBOR.key,
          public_client_id: HARBOR.clientId,
          location_ids: [HARBOR.manhattan, HARBOR.denver],
        },
        {
          id: MAPLE.id,
          name: 'Maple Leaf Dental',
          timezone: 'America/Vancouver',
          api_key: MAPLE.key,
          public_client_id: MAPLE.clientId,
          location_ids: [MAPLE.vancouver],
        },
      ],
      foreign_company: {
        id: THAMES.id,
        name: 'Thames Tutoring',
        timezone: 'Europe/London',
        api_key: THAMES.key,
        public_client_id: THAMES.clientId,
        location_ids: [THAMES.london],
      },
    });
  });
});

describe('onsched token endpoint', () => {
  it('exchanges the dashboard refresh token for a 60-minute JWT and a rotated refresh token', async () => {
    const before = await now(emu.base);
    const res = await tokenRequest(emu.base, refreshParams(SEED_REFRESH));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'refresh_token', 'token_type']);
    expect(res.body.token_type).toBe('bearer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(res.body.refresh_token).not.toBe(SEED_REFRESH);
    const [header] = res.body.access_token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(res.body.access_token);
    expect(Object.keys(claims)).toEqual(['iss', 'sub', 'aud', 'role', 'email', 'session_id', 'iat', 'exp']);
    expect(claims).toMatchObject({
      iss: `${emu.base}/auth/v1`,
      sub: '00a1e157-1e73-47ed-8701-e41832c6c99e',
      aud: 'authenticated',
      role: 'authenticated',
      email: 'owner@onsched-demo.example',
      session_id: 'c8ca205c-ba0c-4beb-ae91-79f3c5531701',
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(Math.abs(claims.iat * 1000 - before)).toBeLessThan(5_000);
    // Any company key of the account works.
    const again = await tokenRequest(emu.base, refreshParams(res.body.refresh_token), MAPLE.key);
    expect(again.status).toBe(200);
  });

  it('issues JWTs on the emulator clock', async () => {
    await advance(emu.base, 86_400);
    const token = await emu.token();
    expect(Math.abs(decodeJwt(token).iat * 1000 - (await now(emu.base)))).toBeLessThan(5_000);
    expect(decodeJwt(token).iat * 1000 - Date.now()).toBeGreaterThan(86_000_000);
  });

  it('refuses JSON and other content types with invalid_request', async () => {
    const json = await tokenRequest(emu.base, refreshParams(SEED_REFRESH), HARBOR.key, { json: true });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    const text = await fetch(`${emu.base}/v3/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-api-key': HARBOR.key },
      body: `grant_type=refresh_token&refresh_token=${SEED_REFRESH}`,
    });
    expect(text.status).toBe(400);
    expect(((await text.json()) as { error: string }).error).toBe('invalid_request');
    // The refused requests did not use the token up.
    expect((await tokenRequest(emu.base, refreshParams(SEED_REFRESH))).status).toBe(200);
  });

  it('answers the error table of §2.2', async () => {
    const cases: Array<[Record<string, string>, string | null, number, string]> = [
      [refreshParams(SEED_REFRESH), null, 400, 'invalid_request'],
      [{ refresh_token: SEED_REFRESH }, HARBOR.key, 400, 'invalid_request'],
      [{ grant_type: 'refresh_token' }, HARBOR.key, 400, 'invalid_request'],
      [{ grant_type: 'client_credentials', refresh_token: SEED_REFRESH }, HARBOR.key, 400, 'unsupported_grant_type'],
      [refreshParams(SEED_REFRESH), 'not-a-known-key-000000000000000', 401, 'invalid_client'],
      [refreshParams(SEED_REFRESH), THAMES.key, 400, 'invalid_grant'],
      [refreshParams('AAAAAAAAAAAAAAAAAAAAAA'), HARBOR.key, 400, 'invalid_grant'],
      [refreshParams(SEED_REFRESH.toLowerCase()), HARBOR.key, 400, 'invalid_grant'],
    ];
    for (const [params, key, status, error] of cases) {
      const res = await tokenRequest(emu.base, params, key);
      expect([res.status, res.body.error], JSON.stringify(params)).toEqual([status, error]);
      expect(typeof res.body.error_description).toBe('string');
    }
    // None of the failures consumed the dashboard token.
    expect((await tokenRequest(emu.base, refreshParams(SEED_REFRESH))).status).toBe(200);
  });

  it('counts token requests by grant type', async () => {
    await control(emu.base, 'stats/reset');
    await tokenRequest(emu.base, refreshParams(SEED_REFRESH));
    await tokenRequest(emu.base, { grant_type: 'client_credentials' });
    await tokenRequest(emu.base, { refresh_token: 'x' });
    const stats = (await (await fetch(`${emu.base}/__sandbox/stats`)).json()) as { token: Record<string, number>; api: number };
    expect(stats.token).toEqual({ refresh_token: 1, client_credentials: 1, none: 1 });
    expect(stats.api).toBe(0);
  });

  it('gives the same successor within 10 s of first use, then revokes the session on reuse', async () => {
    const first = await tokenRequest(emu.base, refreshParams(SEED_REFRESH));
    await advance(emu.base, 5);
    const second = await tokenRequest(emu.base, refreshParams(SEED_REFRESH));
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toBe(first.body.refresh_token);
    const successor = first.body.refresh_token as string;
    const child = await tokenRequest(emu.base, refreshParams(successor));
    expect(child.status).toBe(200);
    expect((await api(emu.base, child.body.access_token, '/setup/v1/companies')).status).toBe(200);

    await advance(emu.base, 6);
    const late = await tokenRequest(emu.base, refreshParams(SEED_REFRESH));
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant']);
    // Every descendant of the session is dead now, access tokens included.
    const grandchild = await tokenRequest(emu.base, refreshParams(child.body.refresh_token));
    expect([grandchild.status, grandchild.body.error]).toEqual([400, 'invalid_grant']);
    const revoked = await api(emu.base, child.body.access_token, '/setup/v1/companies');
    expectError(revoked, 401, 'unauthorized');
    expect(revoked.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('lets a refresh token chain go on without time limit', async () => {
    await emu.token();
    await advance(emu.base, 90 * 86_400);
    const token = await emu.token();
    expect((await api(emu.base, token, '/setup/v1/companies')).status).toBe(200);
  });

  it('has no client-credentials flow', async () => {
    const res = await fetch(`${emu.base}/v3/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('not_found');
  });
});

describe('onsched API authentication', () => {
  it('expires the JWT 3600 s after iat on the emulator clock', async () => {
    const token = await emu.token();
    expect((await api(emu.base, token, '/setup/v1/companies')).status).toBe(200);
    await advance(emu.base, 3_540);
    expect((await api(emu.base, token, '/setup/v1/companies')).status).toBe(200);
    await advance(emu.base, 61);
    const expired = await api(emu.base, token, '/setup/v1/companies');
    expectError(expired, 401, 'unauthorized');
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="The access token has expired"/);
  });

  it('needs Bearer and x-api-key: 401 without either, 401 for a bad JWT or unknown key', async () => {
    const token = await emu.token();
    const noBearer = await api(emu.base, null, '/setup/v1/companies');
    expectError(noBearer, 401, 'unauthorized');
    expect(noBearer.headers.get('www-authenticate')).toBe('Bearer');
    const forged = `${token.slice(0, -4)}AAAA`;
    const bad = await api(emu.base, forged, '/setup/v1/companies');
    expectError(bad, 401, 'unauthorized');
    expect(bad.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expectError(await api(emu.base, 'not.a.jwt', '/setup/v1/companies'), 401, 'unauthorized');
    expectError(await api(emu.base, token, '/setup/v1/companies', { key: null }), 401, 'unauthorized');
    expectError(await api(emu.base, token, '/setup/v1/companies', { key: 'wFmDio2DDdsVcbettsTkridYsmBb33n9' }), 401, 'unauthorized');
    // The key header is spelled x-api-key only.
    expectError(await api(emu.base, token, '/setup/v1/companies', { key: null, headers: { 'x-xpi-key': HARBOR.key } }), 401, 'unauthorized');
    // A token in the query string is not accepted.
    expectError(await api(emu.base, null, `/setup/v1/companies?access_token=${token}`), 401, 'unauthorized');
  });

  it('answers 403 for the foreign company and selects the company by key', async () => {
    const token = await emu.token();
    expectError(await api(emu.base, token, '/setup/v1/companies', { key: THAMES.key }), 403, 'forbidden');
    const maple = await api(emu.base, token, '/setup/v1/companies', { key: MAPLE.key });
    expect(maple.body).toMatchObject({ object: 'company', id: MAPLE.id, name: 'Maple Leaf Dental', timezoneName: 'America/Vancouver' });
    const stats = (await (await fetch(`${emu.base}/__sandbox/stats`)).json()) as { forbidden: number };
    expect(stats.forbidden).toBeGreaterThanOrEqual(1);
  });

  it('accepts x-client-id + x-api-key on the public routes only', async () => {
    const from = new Date((await now(emu.base)) + 2 * 86_400_000).toISOString().slice(0, 10);
    const path = `/consumer/v1/availability/6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11/${from}/${from}`;
    const ok = await api(emu.base, null, path, { headers: { 'x-client-id': HARBOR.clientId } });
    expect(ok.status).toBe(200);
    expect(ok.body.object).toBe('availability');
    expectError(await api(emu.base, null, path, { headers: { 'x-client-id': MAPLE.clientId } }), 401, 'unauthorized');
    expectError(await api(emu.base, null, path, { key: null, headers: { 'x-client-id': HARBOR.clientId } }), 401, 'unauthorized');
    expectError(await api(emu.base, null, '/consumer/v1/appointments', { headers: { 'x-client-id': HARBOR.clientId } }), 401, 'unauthorized');
    expectError(await api(emu.base, null, '/consumer/v1/customers', { headers: { 'x-client-id': HARBOR.clientId } }), 401, 'unauthorized');
    // The foreign company's own public client id opens its own public routes.
    const services = await api(emu.base, null, path, { key: THAMES.key, headers: { 'x-client-id': THAMES.clientId } });
    expectError(services, 404, 'not_found');
  });
});

describe('onsched faults', () => {
  it('answers injected faults in the V3 error envelope and counts them', async () => {
    const token = await emu.token();
    await control(emu.base, 'stats/reset');
    await control(emu.base, 'faults', { match: '/consumer/v1', status: 429, retryAfterSeconds: 7, count: 1 });
    const limited = await api(emu.base, token, '/consumer/v1/services');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ status: 'error', message: 'Injected fault', code: 'rate_limited' });
    await control(emu.base, 'faults', { match: '/v3/auth/token', status: 503, count: 1 });
    const down = await tokenRequest(emu.base, refreshParams(emu.refresh));
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('internal_error');
    expect((await api(emu.base, token, '/consumer/v1/services')).status).toBe(200);
    const stats = (await (await fetch(`${emu.base}/__sandbox/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ api: 2, rateLimited: 1, token: { refresh_token: 1 } });
  });
});

describe('onsched revoke-all and reset', () => {
  it('revokes every token and mints a new dashboard refresh token; reset restores the seed one', async () => {
    const access = await emu.token();
    const res = await control(emu.base, 'revoke-all');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: { accessTokens: 1, refreshTokens: 1, codes: 0 } });
    expectError(await api(emu.base, access, '/setup/v1/companies'), 401, 'unauthorized');
    expect((await tokenRequest(emu.base, refreshParams(emu.refresh))).body.error).toBe('invalid_grant');
    expect((await tokenRequest(emu.base, refreshParams(SEED_REFRESH))).body.error).toBe('invalid_grant');

    const minted = ((await (await fetch(`${emu.base}/__sandbox/credentials`)).json()) as { refresh_token: string }).refresh_token;
    expect(minted).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(minted).not.toBe(SEED_REFRESH);
    const fresh = await tokenRequest(emu.base, refreshParams(minted));
    expect(fresh.status).toBe(200);
    expect(decodeJwt(fresh.body.access_token).session_id).not.toBe('c8ca205c-ba0c-4beb-ae91-79f3c5531701');
    expect((await api(emu.base, fresh.body.access_token, '/setup/v1/companies')).status).toBe(200);

    await control(emu.base, 'reset');
    const restored = ((await (await fetch(`${emu.base}/__sandbox/credentials`)).json()) as { refresh_token: string }).refresh_token;
    expect(restored).toBe(SEED_REFRESH);
    expect((await tokenRequest(emu.base, refreshParams(SEED_REFRESH))).status).toBe(200);
    expectError(await api(emu.base, fresh.body.access_token, '/setup/v1/companies'), 401, 'unauthorized');
  });
});
