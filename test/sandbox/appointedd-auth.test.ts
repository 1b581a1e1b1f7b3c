import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_CLIENT, call, control, type Emu, expectError, GLASGOW, getToken, SPECIFIC_CLIENT, startAppointedd, TORONTO } from './appointedd-helpers.js';

let emu: Emu;
beforeAll(async () => {
  emu = await startAppointedd();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(emu.base, 'reset');
});

const tokenUrl = () => `${emu.base}/v2/oauth/tokens`;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const postJson = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const postForm = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(tokenUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
const cc = { grant_type: 'client_credentials', client_id: ALL_CLIENT.id, client_secret: ALL_CLIENT.secret };

async function expectOAuthError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = await res.json();
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
}

describe('appointedd credentials route', () => {
  it('returns the demo clients and accounts of the contract', async () => {
    const res = await fetch(`${emu.base}/__sandbox/credentials`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      platform: 'appointedd',
      client_id: ALL_CLIENT.id,
      client_secret: ALL_CLIENT.secret,
      clients: [
        { client_id: ALL_CLIENT.id, client_secret: ALL_CLIENT.secret, permission: 'all', account_ids: [GLASGOW, TORONTO] },
        { client_id: SPECIFIC_CLIENT.id, client_secret: SPECIFIC_CLIENT.secret, permission: 'specific', account_ids: [GLASGOW] },
      ],
      accounts: [
        { id: GLASGOW, name: 'Glasgow Physio Clinic', timezone: 'Europe/London' },
        { id: TORONTO, name: 'Toronto Tutoring Centre', timezone: 'America/Toronto' },
      ],
    });
  });
});

describe('appointedd token endpoint', () => {
  it('issues a token from a JSON body with exactly three fields and no-store headers', async () => {
    const res = await postJson(cc);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('issues a token from a form body with HTTP Basic client auth and a decimal expires_in', async () => {
    const res = await postForm({ grant_type: 'client_credentials', expires_in: '900' }, { authorization: basic(SPECIFIC_CLIENT.id, SPECIFIC_CLIENT.secret) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.expires_in).toBe(900);
    const accounts = await call(emu.base, body.access_token, '/v2/accounts');
    expect(accounts.doc.data.map((a: { id: string }) => a.id)).toEqual([GLASGOW]);
  });

  it('accepts form bodies with client credentials in the body, a charset, and ignores scope', async () => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({ ...cc, scope: 'anything' }).toString(),
    });
    expect(res.status).toBe(200);
  });

  it('honours expires_in bounds and types', async () => {
    expect((await (await postJson({ ...cc, expires_in: 300 })).json()).expires_in).toBe(300);
    expect((await (await postJson({ ...cc, expires_in: 315_360_000 })).json()).expires_in).toBe(315_360_000);
    await expectOAuthError(await postJson({ ...cc, expires_in: 299 }), 400, 'invalid_request');
    await expectOAuthError(await postJson({ ...cc, expires_in: 315_360_001 }), 400, 'invalid_request');
    await expectOAuthError(await postJson({ ...cc, expires_in: 600.5 }), 400, 'invalid_request');
    await expectOAuthError(await postJson({ ...cc, expires_in: '600' }), 400, 'invalid_request');
    await expectOAuthError(await postForm({ ...cc, expires_in: '600.0' }), 400, 'invalid_request');
    await expectOAuthError(await postForm({ ...cc, expires_in: '-600' }), 400, 'invalid_request');
    await expectOAuthError(await postForm({ ...cc, expires_in: 'abc' }), 400, 'invalid_request');
    expect((await (await postForm({ ...cc, expires_in: '315360000' })).json()).expires_in).toBe(315_360_000);
  });

  it('rejects other content types and malformed bodies with invalid_request', async () => {
    await expectOAuthError(await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), 400, 'invalid_request');
    await expectOAuthError(
      await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/vnd.api+json' }, body: JSON.stringify(cc) }),
      400,
      'invalid_request',
    );
    await expectOAuthError(
      await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }),
      400,
      'invalid_request',
    );
    await expectOAuthError(await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' }), 400, 'invalid_request');
    const form = new FormData();
    for (const [k, v] of Object.entries(cc)) form.append(k, v);
    await expectOAuthError(await fetch(tokenUrl(), { method: 'POST', body: form }), 400, 'invalid_request');
  });

  it('rejects credentials in both the body and the Basic header', async () => {
    await expectOAuthError(await postJson(cc, { authorization: basic(ALL_CLIENT.id, ALL_CLIENT.secret) }), 400, 'invalid_request');
    await expectOAuthError(
      await postForm({ grant_type: 'client_credentials', client_id: ALL_CLIENT.id }, { authorization: basic(ALL_CLIENT.id, ALL_CLIENT.secret) }),
      400,
      'invalid_request',
    );
  });

  it('requires grant_type and accepts only client_credentials', async () => {
    await expectOAuthError(await postJson({ client_id: ALL_CLIENT.id, client_secret: ALL_CLIENT.secret }), 400, 'invalid_request');
    await expectOAuthError(await postJson({ ...cc, grant_type: 'refresh_token' }), 400, 'unsupported_grant_type');
    await expectOAuthError(await postForm({ ...cc, grant_type: 'authorization_code' }), 400, 'unsupported_grant_type');
  });

  it('answers invalid_client with a Basic challenge only when Basic was used', async () => {
    const wrongBody = await postJson({ ...cc, client_secret: `${ALL_CLIENT.secret}x` });
    await expectOAuthError(wrongBody, 401, 'invalid_client');
    expect(wrongBody.headers.get('www-authenticate')).toBeNull();
    const unknown = await postJson({ ...cc, client_id: 'a'.repeat(24) });
    await expectOAuthError(unknown, 401, 'invalid_client');
    const none = await postJson({ grant_type: 'client_credentials' });
    await expectOAuthError(none, 401, 'invalid_client');
    const caseChanged = await postJson({ ...cc, client_secret: ALL_CLIENT.secret.toLowerCase() });
    await expectOAuthError(caseChanged, 401, 'invalid_client');
    const wrongBasic = await postForm({ grant_type: 'client_credentials' }, { authorization: basic(ALL_CLIENT.id, 'nope') });
    await expectOAuthError(wrongBasic, 401, 'invalid_client');
    expect(wrongBasic.headers.get('www-authenticate')).toBe('Basic realm="appointedd"');
  });

  it('counts token requests by grant type', async () => {
    await postJson(cc);
    await postJson({ ...cc, grant_type: 'password' });
    await postForm({ client_id: 'x' });
    const stats = await (await fetch(`${emu.base}/__sandbox/stats`)).json();
    expect(stats.token).toEqual({ client_credentials: 1, password: 1, none: 1 });
    expect(stats.unauthorized).toBe(1);
  });
});

describe('appointedd bearer tokens', () => {
  it('expires on the emulator clock at exactly expires_in', async () => {
    const token = await getToken(emu.base, ALL_CLIENT, 300);
    expect((await call(emu.base, token, '/v2/accounts')).status).toBe(200);
    await control(emu.base, 'clock', { advanceSeconds: 298 });
    expect((await call(emu.base, token, '/v2/accounts')).status).toBe(200);
    await control(emu.base, 'clock', { advanceSeconds: 3 });
    const expired = await call(emu.base, token, '/v2/accounts');
    expectError(expired, 401, 'unauthorized');
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('keeps several tokens of one client alive at once', async () => {
    const a = await getToken(emu.base);
    const b = await getToken(emu.base);
    expect(a).not.toBe(b);
    expect((await call(emu.base, a, '/v2/accounts')).status).toBe(200);
    expect((await call(emu.base, b, '/v2/accounts')).status).toBe(200);
  });

  it('answers 401 with a bare Bearer challenge without credentials and refuses query tokens', async () => {
    const token = await getToken(emu.base);
    const res = await fetch(`${emu.base}/v2/accounts?access_token=${token}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const doc = await res.json();
    expect(doc.errors[0]).toMatchObject({ status: '401', code: 'unauthorized' });
    const unknown = await call(emu.base, 'x'.repeat(43), '/v2/accounts');
    expectError(unknown, 401, 'unauthorized');
    expect(unknown.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('accepts a case-insensitive Bearer scheme name', async () => {
    const token = await getToken(emu.base);
    const res = await fetch(`${emu.base}/v2/accounts`, { headers: { authorization: `bEaReR ${token}` } });
    expect(res.status).toBe(200);
  });

  it('revoke-all kills every live token but keeps client secrets valid', async () => {
    const a = await getToken(emu.base);
    await getToken(emu.base, SPECIFIC_CLIENT);
    const res = await control(emu.base, 'revoke-all');
    expect(await res.json()).toEqual({ revoked: { accessTokens: 2, refreshTokens: 0, codes: 0 } });
    expectError(await call(emu.base, a, '/v2/accounts'), 401, 'unauthorized');
    const fresh = await getToken(emu.base);
    expect((await call(emu.base, fresh, '/v2/accounts')).status).toBe(200);
  });

  it('reset drops tokens', async () => {
    const a = await getToken(emu.base);
    await control(emu.base, 'reset');
    expect((await call(emu.base, a, '/v2/accounts')).status).toBe(401);
  });
});
