import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, runEmulator } from '../../src/sandbox/framework/server.js';
import type { PlatformFactory } from '../../src/sandbox/framework/types.js';
import { oauthError, readTokenParams, tokenAnswer } from '../../src/sandbox/framework/oauth.js';

/** A tiny platform that exercises the shared framework: one API route, one token route. */
const toy: PlatformFactory = (ctx) => ({
  mediaType: 'application/json; charset=utf-8',
  grantTypes: ['client_credentials'],
  routes: [
    { method: 'GET', path: '/api/items/:id', handler: (req) => ({ status: 200, body: { id: req.params.id, now: ctx.clock.now() } }) },
    {
      method: 'POST',
      path: '/oauth/token',
      kind: 'token',
      handler: async (req) => {
        const p = await readTokenParams(req, ['form', 'json']);
        if (!p.ok) return p.response;
        if (p.params.grant_type !== 'client_credentials') return oauthError('unsupported_grant_type', 'no');
        return tokenAnswer({ access_token: 'x', token_type: 'Bearer', expires_in: 60 });
      },
    },
  ],
  errorResponse: (status, message) => ({ status, body: { error: message } }),
  credentials: () => ({ platform: 'toy' }),
  reset: () => undefined,
  revokeAll: () => ({ accessTokens: 0, refreshTokens: 0, codes: 0 }),
  event: async () => ({ bookingId: 'b', webhooksAttempted: 0, webhooksDelivered: 0 }),
});

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await runEmulator('appointedd', toy);
});
afterAll(() => emu.close());

const control = (path: string, body?: unknown, method = 'POST') =>
  fetch(`${emu.baseUrl}/__sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('emulator framework', () => {
  it('routes, answers 404 and 405 with Allow, counts api requests', async () => {
    expect((await fetch(`${emu.baseUrl}/api/items/7`)).status).toBe(200);
    expect((await fetch(`${emu.baseUrl}/nope`)).status).toBe(404);
    const r405 = await fetch(`${emu.baseUrl}/api/items/7`, { method: 'DELETE' });
    expect(r405.status).toBe(405);
    expect(r405.headers.get('allow')).toBe('GET');
    const stats = await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json();
    expect(stats.api).toBe(2);
  });

  it('counts token requests by grant type, including bad ones', async () => {
    await control('stats/reset');
    await fetch(`${emu.baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    await fetch(`${emu.baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password' }) });
    await fetch(`${emu.baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams({}) });
    const stats = await (await fetch(`${emu.baseUrl}/__sandbox/stats`)).json();
    expect(stats.token).toEqual({ client_credentials: 1, password: 1, none: 1 });
  });

  it('injects status faults with Retry-After, for a limited count', async () => {
    expect((await control('faults', { match: '/api', status: 429, retryAfterSeconds: 3, count: 1 })).status).toBe(201);
    const limited = await fetch(`${emu.baseUrl}/api/items/1`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await fetch(`${emu.baseUrl}/api/items/1`)).status).toBe(200);
  });

  it('resets sockets, serves malformed JSON, hangs until faults are cleared', async () => {
    await control('faults', { match: '/api', mode: 'reset', count: 1 });
    await expect(fetch(`${emu.baseUrl}/api/items/1`)).rejects.toThrow();
    await control('faults', { match: '/api', mode: 'malformed', count: 1 });
    const bad = await fetch(`${emu.baseUrl}/api/items/1`);
    await expect(bad.json()).rejects.toThrow();
    await control('faults', { match: '*', mode: 'hang' });
    const hanging = fetch(`${emu.baseUrl}/api/items/1`);
    await new Promise((r) => setTimeout(r, 100));
    const cleared = await (await control('faults', undefined, 'DELETE')).json();
    expect(cleared.cleared).toBe(1);
    await expect(hanging).rejects.toThrow();
  });

  it('moves the clock forward only, and reset returns it', async () => {
    const before = Date.parse((await (await fetch(`${emu.baseUrl}/__sandbox/clock`)).json()).now);
    const after = Date.parse((await (await control('clock', { advanceSeconds: 3600 })).json()).now);
    expect(after - before).toBeGreaterThanOrEqual(3_600_000);
    expect((await control('clock', { advanceSeconds: -1 })).status).toBe(400);
    await control('reset');
    const reset = Date.parse((await (await fetch(`${emu.baseUrl}/__sandbox/clock`)).json()).now);
    expect(reset - Date.now()).toBeLessThan(5_000);
  });

  it('answers unknown control paths with 404 JSON', async () => {
    const r = await fetch(`${emu.baseUrl}/__sandbox/nothing`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'not found' });
  });
});
