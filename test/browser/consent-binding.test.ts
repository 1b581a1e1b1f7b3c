// The consent flow is bound to the browser that opened its start link: startConnection answers the
// gateway's /oauth/start/<id>, which gives that browser an HttpOnly cookie and sends it on to the
// platform; the callback needs the cookie. Two browser contexts (two people) against DaySchedule's
// emulator: B, holding the code and state A's consent produced, cannot finish A's flow, and A still can.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTIONS, START_CONNECTION, stats } from '../connectors/dayschedule-helpers.js';
import { gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { launchChromium, recordRequests, skipBrowserTests } from './helpers.js';

const CONSENT_POST = '/v1/oauth2/authorize';

describe.skipIf(skipBrowserTests())('a consent flow bound to the browser that started it', () => {
  let gw: TestGateway;
  let ds: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    ds = gw.emulators.dayschedule as string;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await gw?.close();
  });

  /** A fresh browser context (its own cookies: another person's browser). */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    await recordRequests(context); // nothing may leave this machine
    return context.newPage();
  }

  /** A tenant's startConnection over GraphQL: the start link and the PENDING connection's id. */
  async function start(name: string) {
    const { apiKey } = await gw.tenant(name);
    const r = await gql(gw.url, apiKey, START_CONNECTION, { sandbox: true });
    expect(r.body.errors).toBeUndefined();
    const { authorizeUrl, connection } = r.body.data.startConnection;
    return { apiKey, startUrl: authorizeUrl as string, connectionId: connection.id as string };
  }

  /**
   * Opens the start link in `page`, allows organization 1117 on DaySchedule's consent page and holds
   * the platform's redirect (code + state) instead of following it, as someone who got hold of it would.
   */
  async function consentAndHold(page: Page, startUrl: string): Promise<URL> {
    await page.goto(startUrl);
    expect(page.url().startsWith(`${ds}/v1/oauth2/authorize?`)).toBe(true);
    let held = '';
    const isConsentPost = (url: URL) => url.pathname === CONSENT_POST;
    await page.route(isConsentPost, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const res = await route.fetch({ maxRedirects: 0 });
      held = res.headers().location ?? '';
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p id="held">held</p>' });
    });
    await page.locator('#account').selectOption('1117');
    await Promise.all([page.waitForSelector('#held'), page.locator('#allow').click()]);
    await page.unroute(isConsentPost);
    const callback = new URL(held);
    expect(callback.pathname).toBe('/oauth/callback/dayschedule');
    expect(callback.searchParams.get('code')).toBeTruthy();
    return callback;
  }

  const statusOf = async (apiKey: string, id: string) =>
    ((await gql(gw.url, apiKey, CONNECTIONS)).body.data.connections as Array<{ id: string; status: string; statusReason: string | null }>).find(
      (c) => c.id === id,
    );
  const pageText = async (page: Page) => ({ title: await page.textContent('#title'), message: await page.textContent('#message') });

  it('the start link gives browser A an HttpOnly, SameSite=Lax cookie on /oauth for the flow’s lifetime, and opens once', async () => {
    const { startUrl } = await start('binding-cookie');
    expect(startUrl).toMatch(new RegExp(`^${gw.url}/oauth/start/[A-Za-z0-9_-]{43}$`));
    const a = await newPage();
    const res = await a.goto(startUrl);
    expect(res?.request().redirectedFrom()?.url()).toBe(startUrl);
    const redirect = await res?.request().redirectedFrom()?.response();
    expect(redirect?.status()).toBe(302);
    expect(await redirect?.headerValue('cache-control')).toBe('no-store');
    expect(await redirect?.headerValue('referrer-policy')).toBe('no-referrer');
    const cookies = (await a.context().cookies()).filter((c) => c.name.startsWith('bookgraph_consent_'));
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ path: '/oauth', httpOnly: true, sameSite: 'Lax', secure: false });
    const lifetime = cookies[0].expires - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(540);
    expect(lifetime).toBeLessThanOrEqual(600);

    // A may open it again (it holds the cookie); B may not; an unknown id is 404.
    expect((await a.goto(startUrl))?.url().startsWith(ds)).toBe(true);
    const b = await newPage();
    const again = await b.goto(startUrl);
    expect(again?.status()).toBe(410);
    expect((await pageText(b)).title).toBe('This link is not valid');
    expect(await again?.headerValue('cache-control')).toBe('no-store');
    expect((await b.goto(`${gw.url}/oauth/start/${'x'.repeat(43)}`))?.status()).toBe(404);
  });

  it('browser B cannot complete a flow started in browser A (refused, nothing exchanged); A completes it afterwards', async () => {
    const { apiKey, startUrl, connectionId } = await start('binding-two-browsers');
    const a = await newPage();
    const callback = await consentAndHold(a, startUrl);

    const before = await stats(ds);
    const b = await newPage();
    const refused = await b.goto(callback.toString());
    expect(refused?.status()).toBe(400);
    const text = await pageText(b);
    expect(text.title).toBe('This link is not valid');
    expect(text.message).toMatch(/started in another browser/);
    expect((await stats(ds)).token.authorization_code).toBe(before.token.authorization_code);
    expect((await statusOf(apiKey, connectionId))?.status).toBe('PENDING');
    // B opening the start link itself gets no cookie either.
    expect((await b.goto(startUrl))?.status()).toBe(410);
    expect((await b.goto(callback.toString()))?.status()).toBe(400);

    const done = await a.goto(callback.toString());
    expect(done?.status()).toBe(200);
    expect((await pageText(a)).title).toMatch(/DaySchedule is connected/);
    expect((await statusOf(apiKey, connectionId))?.status).toBe('ACTIVE');
    expect((await stats(ds)).token.authorization_code - before.token.authorization_code).toBe(1);
    // The flow is over: its cookie is dropped, the start link and the callback are spent.
    expect((await a.context().cookies()).filter((c) => c.name.startsWith('bookgraph_consent_'))).toEqual([]);
    expect((await a.goto(startUrl))?.status()).toBe(404);
    expect((await a.goto(callback.toString()))?.status()).toBe(400);
  });

  it('a state presented at another platform’s callback is refused without being consumed; the genuine callback still works', async () => {
    const { apiKey, startUrl, connectionId } = await start('binding-wrong-platform');
    const a = await newPage();
    const callback = await consentAndHold(a, startUrl);
    const wrong = new URL(callback);
    wrong.pathname = '/oauth/callback/yappointment';
    const res = await a.goto(wrong.toString());
    expect(res?.status()).toBe(400);
    expect((await pageText(a)).message).toMatch(/started for DaySchedule, not yAppointment/);
    expect((await statusOf(apiKey, connectionId))?.status).toBe('PENDING');

    const done = await a.goto(callback.toString());
    expect(done?.status()).toBe(200);
    expect((await statusOf(apiKey, connectionId))?.status).toBe('ACTIVE');
  });

  it('a code the platform refuses is a 400 page naming the platform’s reason; the connection is ERROR', async () => {
    const { apiKey, startUrl, connectionId } = await start('binding-bogus-code');
    const a = await newPage();
    const callback = await consentAndHold(a, startUrl);
    callback.searchParams.set('code', 'bogus-code');
    const res = await a.goto(callback.toString());
    expect(res?.status()).toBe(400);
    expect(await res?.headerValue('cache-control')).toBe('no-store');
    expect(await res?.headerValue('referrer-policy')).toBe('no-referrer');
    const text = await pageText(a);
    expect(text.title).toBe('DaySchedule was not connected');
    expect(text.message).toMatch(/DaySchedule refused the authorization code \(invalid_grant/);
    const c = await statusOf(apiKey, connectionId);
    expect(c?.status).toBe('ERROR');
    expect(c?.statusReason).toMatch(/invalid_grant/);
  });
});
