// Driving GraphiQL 5 in Debian's Chromium with playwright-core: launching the browser,
// keeping the page on this machine, and reading and typing into GraphiQL's Monaco editors.
// Reusable against any server that serves renderGraphiQLPage() (the fake one in
// graphiql.test.ts, or the real gateway).

import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type LaunchOptions, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core downloads no browser. */
export const chromiumExecutablePath = '/usr/bin/chromium';

/** Flags that keep Chromium headless-friendly and silent on the network. */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** True when Chromium is installed at {@link chromiumExecutablePath}. */
export function chromiumAvailable(): boolean {
  return existsSync(chromiumExecutablePath);
}

/**
 * For `describe.skipIf(skipBrowserTests())`: skip on a developer's machine without
 * Chromium, but never in CI (`CI=true`), where a missing browser must fail the run.
 */
export function skipBrowserTests(): boolean {
  return !chromiumAvailable() && process.env.CI !== 'true';
}

/**
 * Launches headless Chromium with {@link chromiumArgs}.
 * @throws with the install command when Chromium is missing.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium not found at ${chromiumExecutablePath}: run apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({
    headless: true,
    ...options,
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs, ...(options.args ?? [])],
  });
}

/** True for a URL on this machine: 127.0.0.0/8, localhost or [::1]. */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return false;
  }
  return /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === 'localhost' || hostname === '[::1]';
}

/** True for a URL that is no network request at all (inline data, object URLs). */
function isInlineUrl(url: string): boolean {
  return url.startsWith('data:') || url.startsWith('blob:');
}

/**
 * Records the URL of every request the context's pages and workers make, and aborts
 * any that would leave this machine (so a page that needs the internet fails visibly).
 * @returns the live list of URLs (data: and blob: URLs excluded), in request order.
 */
export async function recordRequests(context: BrowserContext): Promise<string[]> {
  const urls: string[] = [];
  context.on('request', (request) => {
    if (!isInlineUrl(request.url())) urls.push(request.url());
  });
  await context.route(
    (url) => !isInlineUrl(url.href) && !isLoopbackUrl(url.href),
    (route) => route.abort('blockedbyclient'),
  );
  return urls;
}

/**
 * Collects what would tell a person the page is broken: uncaught errors and console
 * errors (a Content-Security-Policy violation is one).
 * @returns the live list of messages.
 */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}

/** The parts of a GraphiQL 5 page, found by role and by Monaco model URI rather than by layout. */
export interface GraphiQLParts {
  /** The operation (query) editor. */
  queryEditor: Locator;
  /** The variables editor (hidden until its tab is chosen). */
  variablesEditor: Locator;
  /** The request headers editor. */
  headersEditor: Locator;
  /** The read-only result pane. */
  resultPane: Locator;
  /** The run (execute) button. */
  runButton: Locator;
  /** The sidebar button that opens the documentation explorer. */
  docsButton: Locator;
  /** The documentation explorer panel, once open. */
  docExplorer: Locator;
}

/**
 * Locators for GraphiQL's editors and controls. Each Monaco editor carries its model's URI
 * in `data-uri` (GraphiQL names them operation.graphql, variables.json,
 * request-headers.json and response.json).
 */
export function graphiqlParts(page: Page): GraphiQLParts {
  const editor = (modelFile: string) => page.locator(`.monaco-editor[data-uri$="${modelFile}"]`);
  return {
    queryEditor: editor('operation.graphql'),
    variablesEditor: editor('variables.json'),
    headersEditor: editor('request-headers.json'),
    resultPane: editor('response.json'),
    runButton: page.locator('.graphiql-execute-button'),
    docsButton: page.getByRole('button', { name: 'Show Documentation Explorer' }),
    docExplorer: page.locator('.graphiql-doc-explorer'),
  };
}

/**
 * Opens GraphiQL at `url` and waits until its query, headers and result editors exist.
 * @param timeoutMs how long to wait for the editors, in milliseconds
 */
export async function openGraphiQL(page: Page, url: string, timeoutMs = 30_000): Promise<GraphiQLParts> {
  await page.goto(url);
  const parts = graphiqlParts(page);
  await Promise.all([parts.queryEditor, parts.headersEditor, parts.resultPane].map((editor) => editor.waitFor({ state: 'attached', timeout: timeoutMs })));
  return parts;
}

/**
 * The text a Monaco editor shows. Monaco renders only the lines in view and reuses their
 * DOM nodes out of order, so lines are sorted by their position; make the viewport tall
 * enough for the whole text. Non-breaking spaces (Monaco's rendering of spaces) become spaces.
 */
export async function monacoText(editor: Locator): Promise<string> {
  const lines = await editor.locator('.view-lines .view-line').evaluateAll((elements) =>
    elements.map((element) => ({
      top: Number.parseFloat((element as HTMLElement).style.top) || 0,
      text: element.textContent ?? '',
    })),
  );
  return lines
    .sort((a, b) => a.top - b.top)
    .map((line) => line.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/**
 * Waits until a Monaco editor's text satisfies `predicate` and returns that text.
 * @param timeoutMs how long to wait, in milliseconds
 * @throws with the last text seen when the time runs out
 */
export async function waitForMonacoText(editor: Locator, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await monacoText(editor).catch(() => '');
    if (predicate(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Monaco editor text did not match within ${timeoutMs} ms; last text:\n${text}`);
}

/**
 * Replaces a Monaco editor's whole content with `text`, as a person would: click into it,
 * select all, delete, then insert the text in one go (typing it key by key would let
 * Monaco auto-close brackets and indent a second time).
 */
export async function replaceMonacoText(page: Page, editor: Locator, text: string): Promise<void> {
  // Clicking the editor box itself (not .view-lines, which grows with the longest line
  // and can be centred under the line numbers) always lands inside the editor.
  const box = await editor.boundingBox();
  if (box === null) throw new Error('The Monaco editor is not visible');
  await editor.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Collapses a JSON or GraphQL text to single spaces, for comparing what an editor shows. */
export function squashWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
