// GraphiQL as a person meets it: Chromium opens the page a server renders with
// renderGraphiQLPage(), loads the bundle from that server alone, shows the demo
// Authorization header and the schema, and runs a query typed into the editor.
// The server here is a small fake with a real graphql-js schema; the gateway's own
// browser test reuses ./helpers.js.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphiqlAsset, renderGraphiQLPage } from '../../src/server/graphiql/index.js';
import {
  type GraphiQLParts,
  isLoopbackUrl,
  launchChromium,
  openGraphiQL,
  recordPageErrors,
  recordRequests,
  replaceMonacoText,
  skipBrowserTests,
  squashWhitespace,
  waitForMonacoText,
} from './helpers.js';

const demoAuthorization = 'Bearer bg_demo_0123456789abcdef';

const schema = buildSchema(`
  type Query {
    bookings(first: Int): BookingConnection!
  }
  type BookingConnection {
    edges: [BookingEdge!]!
  }
  type BookingEdge {
    node: Booking!
  }
  type Booking {
    id: ID!
    provider: String!
    status: String!
    startsAt: String!
    service: Service!
    customer: Customer!
  }
  type Service {
    name: String!
  }
  type Customer {
    firstName: String!
    lastName: String!
  }
`);

const bookings = [
  {
    id: 'bk_1',
    provider: 'DAYSCHEDULE',
    status: 'CONFIRMED',
    startsAt: '2030-03-04T09:30:00Z',
    service: { name: 'Haircut' },
    customer: { firstName: 'Ada', lastName: 'Lovelace' },
  },
  {
    id: 'bk_2',
    provider: 'ONSCHED',
    status: 'CANCELLED',
    startsAt: '2030-03-05T14:00:00Z',
    service: { name: 'Massage' },
    customer: { firstName: 'Grace', lastName: 'Hopper' },
  },
];

const rootValue = {
  bookings: ({ first }: { first?: number }) => ({
    edges: bookings.slice(0, first ?? bookings.length).map((node) => ({ node })),
  }),
};

/** A GraphQL POST the fake server received. */
interface ReceivedPost {
  operationName: string | undefined;
  query: string;
  authorization: string | undefined;
}

/**
 * Serves what the gateway serves for GraphiQL: the page at GET /graphql (Accept: text/html),
 * the bundle under /graphiql/, and GraphQL over POST /graphql, which, like the gateway,
 * answers 401 without the demo Authorization header.
 */
function startFakeGateway(): Promise<{ server: Server; origin: string; posts: ReceivedPost[] }> {
  const posts: ReceivedPost[] = [];
  const server = createServer((request, response) => {
    handle(request, response, posts).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}`, posts });
    });
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, posts: ReceivedPost[]): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method === 'GET' && pathname === '/graphql' && request.headers.accept?.includes('text/html')) {
    const page = renderGraphiQLPage({
      endpoint: '/graphql',
      assetsPath: '/graphiql',
      defaultHeaders: { Authorization: demoAuthorization },
    });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  if (request.method === 'GET' && pathname.startsWith('/graphiql/')) {
    const asset = await graphiqlAsset(decodeURIComponent(pathname.slice('/graphiql/'.length)));
    if (asset === null) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': asset.contentType }).end(asset.body);
    return;
  }
  if (request.method === 'POST' && pathname === '/graphql') {
    let body = '';
    for await (const chunk of request) body += chunk;
    const { query, variables, operationName } = JSON.parse(body) as {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    posts.push({ operationName, query, authorization: request.headers.authorization });
    if (request.headers.authorization !== demoAuthorization) {
      const error = { message: 'Missing or invalid API key', extensions: { code: 'UNAUTHENTICATED' } };
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [error] }));
      return;
    }
    const result = await graphql({ schema, source: query, variableValues: variables, operationName, rootValue });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    return;
  }
  response.writeHead(404).end();
}

describe.skipIf(skipBrowserTests())('GraphiQL page in Chromium', () => {
  let fake: Awaited<ReturnType<typeof startFakeGateway>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let parts: GraphiQLParts;
  let requests: string[];
  let pageErrors: string[];

  beforeAll(async () => {
    // Builds dist/graphiql when it is missing, outside the page-load timeout below.
    await graphiqlAsset('graphiql.js');
    fake = await startFakeGateway();
    browser = await launchChromium();
    // Tall enough for Monaco to render the whole result (it renders only visible lines).
    context = await browser.newContext({ viewport: { width: 1400, height: 1400 } });
    requests = await recordRequests(context);
    page = await context.newPage();
    pageErrors = recordPageErrors(page);
    parts = await openGraphiQL(page, `${fake.origin}/graphql`, 60_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => fake?.server.close(resolve));
  });

  it('prefills the header editor with the demo Authorization header', async () => {
    const text = await waitForMonacoText(parts.headersEditor, (t) => t.includes('Authorization'));
    expect(JSON.parse(text)).toEqual({ Authorization: demoAuthorization });
  });

  it('shows the Query type in the docs explorer, introspected with the demo key', async () => {
    await parts.docsButton.click();
    const queryType = parts.docExplorer.getByRole('link', { name: 'Query', exact: true });
    await queryType.waitFor({ timeout: 30_000 });
    await queryType.click();
    await parts.docExplorer.getByRole('link', { name: 'bookings', exact: true }).waitFor({ timeout: 10_000 });

    const introspections = fake.posts.filter((post) => post.operationName === 'IntrospectionQuery');
    expect(introspections.length).toBeGreaterThan(0);
    expect(introspections.every((post) => post.authorization === demoAuthorization)).toBe(true);
  });

  it('runs a typed query and shows the bookings in the result pane', async () => {
    const query = '{ bookings(first: 2) { edges { node { id status customer { lastName } } } } }';
    await replaceMonacoText(page, parts.queryEditor, query);
    await waitForMonacoText(parts.queryEditor, (t) => squashWhitespace(t) === query, 5_000);
    await parts.runButton.click();

    const result = await waitForMonacoText(parts.resultPane, (t) => t.includes('Hopper'));
    expect(JSON.parse(result)).toEqual({
      data: {
        bookings: {
          edges: [
            { node: { id: 'bk_1', status: 'CONFIRMED', customer: { lastName: 'Lovelace' } } },
            { node: { id: 'bk_2', status: 'CANCELLED', customer: { lastName: 'Hopper' } } },
          ],
        },
      },
    });

    const sent = fake.posts.filter((post) => squashWhitespace(post.query) === query);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.authorization).toBe(demoAuthorization);
  });

  it('validates the query against the schema in the GraphQL web worker', async () => {
    await replaceMonacoText(page, parts.queryEditor, '{ bookingz }');
    // monaco-graphql's diagnostics run in workers/graphql.worker.js; Monaco draws them as squiggles.
    await parts.queryEditor.locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
  });

  it('loaded everything from the local server, with no error', async () => {
    // GRAPHIQL_SCREENSHOT=/tmp/graphiql.png keeps a picture of the page with its result.
    const screenshotPath = process.env.GRAPHIQL_SCREENSHOT;
    if (screenshotPath) await page.screenshot({ path: screenshotPath });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !isLoopbackUrl(url) || !url.startsWith(fake.origin))).toEqual([]);
    // The bundle and each Monaco worker came from the gateway's origin.
    const paths = requests.map((url) => new URL(url).pathname);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/graphiql/graphiql.js',
        '/graphiql/graphiql.css',
        '/graphiql/workers/editor.worker.js',
        '/graphiql/workers/json.worker.js',
        '/graphiql/workers/graphql.worker.js',
      ]),
    );
    expect(pageErrors).toEqual([]);
  });
});

// What the page and the asset lookup guarantee, checked without a browser (so they run
// even where the Chromium suite above is skipped).
describe('renderGraphiQLPage and graphiqlAsset', () => {
  it('renders a page that loads only same-origin assets and carries its config as inert JSON', () => {
    const hostile = '</script><script>alert(1)</script>';
    const page = renderGraphiQLPage({
      endpoint: '/graphql',
      assetsPath: '/graphiql/',
      defaultHeaders: { Authorization: hostile },
      title: '<b>Bookgraph</b>',
    });
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<b>Bookgraph</b>');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page).toContain('<script type="module" src="/graphiql/graphiql.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/graphiql/graphiql.css">');

    const json = /<script type="application\/json" id="graphiql-config">([^<]*)<\/script>/.exec(page)?.[1];
    expect(json).toBeDefined();
    const config = JSON.parse(json ?? 'null') as { endpoint: string; defaultHeaders: Record<string, string>; defaultQuery: string };
    expect(config.endpoint).toBe('/graphql');
    expect(config.defaultHeaders).toEqual({ Authorization: hostile });
    expect(squashWhitespace(config.defaultQuery.replace(/^#.*$/gm, ''))).toBe(
      '{ bookings(first: 5) { edges { node { id provider status startsAt service { name } customer { firstName lastName } } } } }',
    );
  });

  it('serves the bundle files with their content types', async () => {
    expect((await graphiqlAsset('graphiql.js'))?.contentType).toBe('text/javascript; charset=utf-8');
    expect((await graphiqlAsset('graphiql.css'))?.contentType).toBe('text/css; charset=utf-8');
    const worker = await graphiqlAsset('workers/graphql.worker.js');
    expect(worker?.contentType).toBe('text/javascript; charset=utf-8');
    expect(worker?.body.length).toBeGreaterThan(10_000);
  });

  it('gives null for anything outside dist/graphiql or not in the bundle', async () => {
    for (const path of [
      '../../package.json',
      '../graphiql/graphiql.js',
      'workers/../graphiql.js',
      './graphiql.js',
      '/etc/passwd.js',
      '..\\..\\package.json',
      'workers//graphql.worker.js',
      'graphiql.js\0.css',
      'missing.js',
      'workers',
      '',
    ]) {
      expect(await graphiqlAsset(path), path).toBeNull();
    }
  });
});
