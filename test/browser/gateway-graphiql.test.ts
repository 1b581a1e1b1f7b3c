import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  isLoopbackUrl,
  launchChromium,
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
});
