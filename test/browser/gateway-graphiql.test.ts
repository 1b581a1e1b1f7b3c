import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  isLoopbackUrl,
  launchChromium,
  monacoText,
  openGraphiQL,
  recordPageErrors,
  recordRequests,
  replaceMonacoText,
  skipBrowserTests,
  waitForMonacoText,
} from './helpers.js';

/** GraphiQL served by the real gateway in sandbox mode, against the emulated platforms. */
describe.skipIf(skipBrowserTests())('GraphiQL on the gateway', () => {
  let gw: TestGateway;
  let browser: Browser;
  beforeAll(async () => {
    gw = await startTestGateway();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('opens with the demo key, runs a typed query, and shows bookings from the platforms', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const requests = await recordRequests(context);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    const parts = await openGraphiQL(page, `${gw.url}/graphql`);
    await waitForMonacoText(parts.headersEditor, (t) => t.includes(gw.demoKey));
    await replaceMonacoText(
      page,
      parts.queryEditor,
      '{ bookings(first: 3, filter: { providers: [APPOINTEDD] }) { edges { node { provider service { name } } } } }',
    );
    await parts.runButton.click();
    const result = await waitForMonacoText(parts.resultPane, (t) => t.includes('"edges"'));
    expect(result).toContain('"provider": "APPOINTEDD"');
    expect((result.match(/"provider"/g) ?? []).length).toBe(3);
    expect(result).not.toContain('"errors"');
    expect(requests.every(isLoopbackUrl)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a subscription over the WebSocket with the key from the header editor and shows its events', async () => {
    const tenant = await gw.tenant('graphiql-subscriber');
    const creds = await sandbox(gw.emulators.appointedd as string, 'credentials');
    const made = await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: creds.client_secret });
    const connectionId = made.body.data.connectProvider.id;

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    const parts = await openGraphiQL(page, `${gw.url}/graphql`);
    await waitForMonacoText(parts.headersEditor, (t) => t.includes(gw.demoKey));
    await replaceMonacoText(page, parts.headersEditor, JSON.stringify({ Authorization: `Bearer ${tenant.apiKey}` }));
    await replaceMonacoText(page, parts.queryEditor, 'subscription { connectionStatusChanged { id status } }');
    // GraphiQL parses the editor's document a moment after a change (debounced), as a person types.
    await page.waitForTimeout(1_000);
    await parts.runButton.click();
    // The event comes from outside the page: the tenant disconnects the connection over HTTP.
    let shown = '';
    for (let i = 0; i < 40 && !shown.includes('DISCONNECTED'); i++) {
      if (i % 10 === 2) await gql(gw.url, tenant.apiKey, 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { status } }', { id: connectionId });
      await page.waitForTimeout(250);
      shown = await monacoText(parts.resultPane).catch(() => '');
    }
    expect(shown).toContain('"status": "DISCONNECTED"');
    // Monaco wraps the long ID across display lines.
    expect(shown.replace(/\s+/g, '')).toContain(connectionId);
    expect(shown).not.toContain('not properly configured');
    expect(errors).toEqual([]);
    await context.close();
  });
});
