// Connecting yAppointment as a person does it: a client asks the gateway for an authorize URL over
// GraphQL, headless Chromium opens the emulator's consent page, the person clicks Allow (or Deny),
// the browser lands on the gateway's callback page, and the connection serves the company's data.
// Also the ways it must not work: a replayed callback, a forged state, a PKCE verifier that does not
// match the challenge the platform saw.

import { createHash, randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectionOf, emulatorBookings, READ_SCOPES, SALON, START, stats } from '../connectors/yappointment-helpers.js';
import { launchChromium, recordRequests, skipBrowserTests } from './helpers.js';

const CALLBACK_PATH = '/oauth/callback/yappointment';

describe.skipIf(skipBrowserTests())('connecting yAppointment in a browser', () => {
  let gw: TestGateway;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    gw = await startTestGateway();
    origin = gw.emulators.yappointment as string;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });
  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext();
    await recordRequests(context); // nothing may leave this machine
    page = await context.newPage();
  });

  /** A new tenant's consent request: its authorize URL and the PENDING connection. */
  async function start(name: string) {
    const { apiKey } = await gw.tenant(name);
    const r = await gql(gw.url, apiKey, START);
    expect(r.body.errors).toBeUndefined();
    const { authorizeUrl, connection } = r.body.data.startConnection;
    return { apiKey, authorizeUrl: authorizeUrl as string, connectionId: connection.id as string };
  }

  /** Clicks a consent button and waits for the gateway's callback page; returns its HTTP status and URL. */
  async function choose(button: '#allow' | '#deny') {
    const landed = page.waitForResponse((res) => new URL(res.url()).pathname === CALLBACK_PATH);
    await page.click(button);
    const res = await landed;
    await page.waitForLoadState('domcontentloaded');
    return { status: res.status(), url: res.url() };
  }

  const pageText = async () => ({ title: await page.textContent('#title'), message: await page.textContent('#message') });

  it('Allow: lands on the callback page naming platform and company; the connection is ACTIVE and serves the seeded bookings', async () => {
    const { apiKey, authorizeUrl, connectionId } = await start('browser-allow');
    const before = await stats(origin);
    // authorizeUrl is the gateway's start link: it sets the flow's cookie and goes on to the platform.
    expect(authorizeUrl.startsWith(`${gw.url}/oauth/start/`)).toBe(true);
    await page.goto(authorizeUrl);
    expect(page.url().startsWith(`${origin}/oauth/authorize?`)).toBe(true);
    // A read-only connection: the read scopes only (startConnection(write: true) adds bookings:write).
    expect(await page.locator('#scopes li').allTextContents()).toEqual(READ_SCOPES);
    expect(await page.locator('#account option').allTextContents()).toContain('Test Salon');
    const landed = await choose('#allow');
    expect(landed.status).toBe(200);
    expect(landed.url.startsWith(`${gw.url}${CALLBACK_PATH}?code=`)).toBe(true);
    const text = await pageText();
    expect(text.title).toBe('yAppointment is connected');
    expect(text.message).toContain('Test Salon');
    expect(text.message).toContain('yAppointment');
    expect((await stats(origin)).token.authorization_code - before.token.authorization_code).toBe(1);

    const c = await connectionOf(gw, apiKey, connectionId);
    expect(c).toMatchObject({ status: 'ACTIVE', label: 'Test Salon' });
    const r = await gql(
      gw.url,
      apiKey,
      '{ bookings(first: 100, filter: { providers: [YAPPOINTMENT] }) { edges { node { nativeId provider organization { name } } } } }',
    );
    expect(r.body.errors).toBeUndefined();
    const seeded = await emulatorBookings(origin, SALON);
    expect(seeded.length).toBeGreaterThanOrEqual(40);
    expect(r.body.data.bookings.edges.map((e: any) => e.node.nativeId)).toEqual(seeded.map((b) => b.id));
    expect(new Set(r.body.data.bookings.edges.map((e: any) => e.node.organization.name))).toEqual(new Set(['Test Salon']));

    // The same callback URL again (back button, a leaked link): refused, nothing exchanged, nothing changed.
    const beforeReplay = await stats(origin);
    const replay = await page.goto(landed.url);
    expect(replay?.status()).toBe(400);
    expect((await pageText()).title).toBe('This link is not valid');
    expect((await stats(origin)).token.authorization_code).toBe(beforeReplay.token.authorization_code);
    expect((await connectionOf(gw, apiKey, connectionId)).status).toBe('ACTIVE');
  });

  it('Deny: the callback page says access was declined; the connection is ERROR with a reason', async () => {
    const { apiKey, authorizeUrl, connectionId } = await start('browser-deny');
    const before = await stats(origin);
    await page.goto(authorizeUrl);
    const landed = await choose('#deny');
    expect(landed.status).toBe(200);
    expect(new URL(landed.url).searchParams.get('error')).toBe('access_denied');
    const text = await pageText();
    expect(text.title).toBe('yAppointment was not connected');
    expect(text.message).toMatch(/declined/);
    const c = await connectionOf(gw, apiKey, connectionId);
    expect(c.status).toBe('ERROR');
    expect(c.statusReason).toMatch(/declined on yAppointment/);
    expect((await stats(origin)).token.authorization_code).toBe(before.token.authorization_code);
  });

  it('a forged state is rejected without exchanging the code; the genuine callback still completes', async () => {
    const { apiKey, authorizeUrl, connectionId } = await start('browser-forged');
    // Catch the redirect before it reaches the gateway, as an attacker holding the code would: the
    // consent form's POST is answered by the platform with a 302 whose target is kept, not followed.
    let genuine = '';
    const consentPost = (url: URL) => url.pathname === '/oauth/authorize';
    await page.route(consentPost, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const res = await route.fetch({ maxRedirects: 0 });
      genuine = res.headers().location ?? '';
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p id="held">held</p>' });
    });
    await page.goto(authorizeUrl);
    await Promise.all([page.waitForSelector('#held'), page.click('#allow')]);
    await page.unroute(consentPost);
    expect(new URL(genuine).pathname).toBe(CALLBACK_PATH);
    expect(genuine).toContain('code=');

    const before = await stats(origin);
    const forged = new URL(genuine);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    const res = await page.goto(forged.toString());
    expect(res?.status()).toBe(400);
    expect((await pageText()).title).toBe('This link is not valid');
    const noState = new URL(genuine);
    noState.searchParams.delete('state');
    expect((await page.goto(noState.toString()))?.status()).toBe(400);
    expect((await stats(origin)).token.authorization_code).toBe(before.token.authorization_code);
    expect((await connectionOf(gw, apiKey, connectionId)).status).toBe('PENDING');

    const ok = await page.goto(genuine);
    expect(ok?.status()).toBe(200);
    expect((await connectionOf(gw, apiKey, connectionId)).status).toBe('ACTIVE');
  });

  it('a code_challenge that does not match the gateway verifier: the platform refuses the exchange and the connection is ERROR', async () => {
    const { apiKey, authorizeUrl, connectionId } = await start('browser-pkce');
    await page.goto(authorizeUrl); // the start link: the cookie, then the platform's consent page
    const tampered = new URL(page.url());
    const otherChallenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    expect(tampered.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tampered.searchParams.get('code_challenge_method')).toBe('S256');
    tampered.searchParams.set('code_challenge', otherChallenge);
    const before = await stats(origin);
    await page.goto(tampered.toString());
    const landed = await choose('#allow');
    // The platform refused the code: a 400 page with its reason.
    expect(landed.status).toBe(400);
    expect((await pageText()).message).toMatch(/code_verifier does not match the code_challenge/);
    expect((await pageText()).title).toBe('yAppointment was not connected');
    // The exchange was tried once (with the gateway's verifier) and refused by the platform.
    expect((await stats(origin)).token.authorization_code - before.token.authorization_code).toBe(1);
    const c = await connectionOf(gw, apiKey, connectionId);
    expect(c.status).toBe('ERROR');
    expect(c.statusReason).toMatch(/PKCE verifier \(invalid_grant: code_verifier does not match the code_challenge\)/);
    const r = await gql(gw.url, apiKey, '{ bookings(first: 5, filter: { providers: [YAPPOINTMENT] }) { edges { node { id } } } }');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.bookings.edges).toEqual([]);
  });
});
