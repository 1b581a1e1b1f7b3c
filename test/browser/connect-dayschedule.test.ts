// Connecting DaySchedule as a person does it: a client asks the gateway for a consent URL over
// GraphQL, Chromium opens DaySchedule's consent page (the emulator's), the person picks an
// organization and allows (or denies), DaySchedule sends the browser back to the gateway's
// callback page, and the connection answers GraphQL queries with that organization's bookings.

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONNECTIONS, emulatorList, START_CONNECTION, stats } from '../connectors/dayschedule-helpers.js';
import { gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { launchChromium, recordPageErrors, recordRequests, skipBrowserTests } from './helpers.js';

describe.skipIf(skipBrowserTests())('connect DaySchedule in a browser', () => {
  let gw: TestGateway;
  let ds: string;
  let browser: Browser;
  let context: BrowserContext;
  let requests: string[];

  beforeAll(async () => {
    gw = await startTestGateway();
    ds = gw.emulators.dayschedule as string;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    requests = await recordRequests(context);
  });
  afterEach(async () => {
    await context.close();
  });

  async function start(apiKey: string): Promise<string> {
    const r = await gql(gw.url, apiKey, START_CONNECTION, { sandbox: true });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.startConnection.connection.status).toBe('PENDING');
    return r.body.data.startConnection.authorizeUrl;
  }

  it('Allow for organization 2245 → callback names DaySchedule and the organization → ACTIVE → its seeded bookings', async () => {
    const { apiKey } = await gw.tenant('browser-allow');
    const authorizeUrl = await start(apiKey);
    const before = await stats(ds);

    const page = await context.newPage();
    const errors = recordPageErrors(page);
    // authorizeUrl is the gateway's start link: it sets the flow's cookie and goes on to DaySchedule.
    expect(authorizeUrl.startsWith(`${gw.url}/oauth/start/`)).toBe(true);
    await page.goto(authorizeUrl);
    expect(page.url().startsWith(ds)).toBe(true);
    await page.locator('#account').selectOption('2245');
    await Promise.all([page.waitForURL(`${gw.url}/oauth/callback/dayschedule?**`), page.locator('#allow').click()]);
    const title = await page.locator('#title').textContent();
    const message = await page.locator('#message').textContent();
    expect(title).toMatch(/dayschedule is connected/i);
    expect(message).toMatch(/dayschedule/i);
    expect(message).toContain('Berlin Career Coaching');
    expect(errors).toEqual([]);
    // Everything the browser loaded was on this machine: the emulator's consent page and the gateway.
    expect(requests.every((u) => u.startsWith(ds) || u.startsWith(gw.url))).toBe(true);

    const conns = await gql(gw.url, apiKey, CONNECTIONS);
    expect(conns.body.data.connections).toEqual([
      expect.objectContaining({
        provider: 'DAYSCHEDULE',
        status: 'ACTIVE',
        statusReason: null,
        organizations: [{ nativeId: '2245', name: 'Berlin Career Coaching', timezone: 'Europe/Berlin' }],
      }),
    ]);
    expect((await stats(ds)).token.authorization_code - before.token.authorization_code).toBe(1);

    const seeded = (await emulatorList(ds, 2245, '/v1/bookings')).sort(
      (a, b) => Date.parse(a.start_at) - Date.parse(b.start_at) || (a.booking_id < b.booking_id ? -1 : 1),
    );
    expect(seeded.length).toBeGreaterThanOrEqual(12);
    const r = await gql(
      gw.url,
      apiKey,
      '{ bookings(first: 100, filter: { providers: [DAYSCHEDULE] }) { edges { node { nativeId startsAt organization { nativeId name } } } pageInfo { hasNextPage } } }',
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.bookings.pageInfo.hasNextPage).toBe(false);
    expect(r.body.data.bookings.edges.map((e: any) => e.node.nativeId)).toEqual(seeded.map((b) => b.booking_id));
    expect(r.body.data.bookings.edges.every((e: any) => e.node.organization.nativeId === '2245' && e.node.organization.name === 'Berlin Career Coaching')).toBe(
      true,
    );
    console.info(`[figures] browser consent: ${seeded.length} seeded bookings of organization 2245 answered over GraphQL`);
  });

  it('Deny → the callback page says so → ERROR with the reason', async () => {
    const { apiKey } = await gw.tenant('browser-deny');
    const authorizeUrl = await start(apiKey);
    const before = await stats(ds);

    const page = await context.newPage();
    await page.goto(authorizeUrl);
    await page.locator('#account').selectOption('2245');
    await Promise.all([page.waitForURL(`${gw.url}/oauth/callback/dayschedule?**`), page.locator('#deny').click()]);
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    expect(await page.locator('#title').textContent()).toMatch(/dayschedule was not connected/i);
    expect(await page.locator('#message').textContent()).toMatch(/declined/i);

    const conns = await gql(gw.url, apiKey, CONNECTIONS);
    expect(conns.body.data.connections).toHaveLength(1);
    expect(conns.body.data.connections[0].status).toBe('ERROR');
    expect(conns.body.data.connections[0].statusReason).toMatch(/declined.*Allow/i);
    expect((await stats(ds)).token.authorization_code).toBe(before.token.authorization_code);
    const r = await gql(gw.url, apiKey, '{ bookings(first: 5, filter: { providers: [DAYSCHEDULE] }) { edges { node { id } } } }');
    expect(r.body.data.bookings.edges).toEqual([]);
  });
});
