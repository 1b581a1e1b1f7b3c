import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyFailureLimiter } from '../auth/key-failures.js';
import { hostPolicy, isAllowedHost, isHostExempt, isListedHost } from './allowed-hosts.js';
import { graphiqlAsset, graphiqlPageHeaders, renderGraphiQLPage } from './graphiql/index.js';
import { createApollo, createContext, HeaderMap, type Services } from './app.js';
import { storeFailure } from './errors.js';
import { attachSubscriptions } from './websocket.js';

const MAX_BODY_BYTES = 1_000_000;

export interface HttpOptions {
  /** Headers GraphiQL starts with (sandbox mode: the demo key). */
  graphiqlHeaders?: Record<string, string>;
  /** False while start-up is still under way (sandbox mode connecting its demo tenant): /readyz answers 503. */
  ready?: () => boolean;
  /** Extra routes (OAuth callbacks, webhooks) tried before the 404. Return true when handled. */
  routes?: Array<(req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>>;
}

export interface RunningHttp {
  server: Server;
  url: string;
  /** Stops accepting, drains in-flight requests (Apollo's drain plugin), closes. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(payload)), ...headers });
  res.end(payload);
}

function graphqlError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function bearerOf(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  const m = h ? /^bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : null;
}

/**
 * `GET /metrics`: Prometheus text (`src/observability/metrics.ts`), any Host (scrapers use addresses);
 * with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>` (else 401).
 */
async function serveMetrics(req: IncomingMessage, res: ServerResponse, services: Services): Promise<void> {
  const token = services.config.metricsToken;
  if (token !== null && !sameSecret(bearerOf(req) ?? '', token)) {
    sendJson(res, 401, { error: 'unauthorized', message: 'Send Authorization: Bearer <METRICS_TOKEN>' }, { 'www-authenticate': 'Bearer realm="metrics"' });
    return;
  }
  const { contentType, body } = await services.observability.metrics.scrape();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** Compares secrets in constant time (digests first: equal lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A browser navigating to /graphql (not a GraphQL client): it wants the GraphiQL page. */
function wantsGraphiQL(req: IncomingMessage, url: URL): boolean {
  return req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
}

/**
 * The gateway's HTTP surface: `/graphql` (GraphQL over HTTP, POST and GET, behind the API key),
 * GraphiQL at `GET /graphql` for browsers with its assets under `/graphiql/`, `/healthz` (process up)
 * and `/readyz` (start-up finished and store reachable), `GET /` redirecting to `/graphql`. Errors are JSON, never HTML, never a stack trace.
 *
 * Only requests whose `Host` is allowed are answered (`allowed-hosts.ts`: loopback names, PUBLIC_URL's
 * host, ALLOWED_HOSTS), others get 421 — except `/healthz`, `/readyz` and `/webhooks/…`. Wrong API keys
 * are counted per client address (`KeyFailureLimiter`): over the limit, a wrong key gets 429.
 */
export async function startHttp(services: Services, port: number, host: string, options: HttpOptions = {}): Promise<RunningHttp> {
  const server = createServer();
  const apollo = createApollo(services, server);
  await apollo.start();
  const { log, config } = services;
  const hosts = hostPolicy({
    publicUrl: config.publicUrl,
    bindHost: host,
    extraOrigins: config.sandboxRedirectOrigins,
    allowedHosts: config.allowedHosts,
  });
  const keyFailures = new KeyFailureLimiter(config.apiKeyFailures);

  // Admission control: beyond `maxInFlight` GraphQL requests, refuse at once instead of queueing
  // into timeouts (a client, or its load balancer, retries elsewhere or later).
  let inFlight = 0;
  const maxInFlight = services.config.maxInFlight;

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (inFlight >= maxInFlight) {
      req.resume();
      graphqlError(res, 503, 'OVERLOADED', `The gateway has ${maxInFlight} requests in flight, its limit: retry shortly`, { 'retry-after': '1' });
      return;
    }
    inFlight++;
    try {
      await executeGraphQL(req, res, url);
    } finally {
      inFlight--;
    }
  }

  async function executeGraphQL(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      graphqlError(res, 405, 'BAD_REQUEST', 'GraphQL is served over GET and POST', { allow: 'GET, POST' });
      return;
    }
    const apiKey = bearerOf(req);
    const tenant = await services.tenants.authenticate(apiKey);
    if (!tenant) {
      const retryAfter = apiKey === null ? null : keyFailures.fail(req.socket.remoteAddress ?? 'unknown');
      if (retryAfter !== null) {
        req.resume();
        graphqlError(res, 429, 'UNAUTHENTICATED', `Too many wrong API keys from this address: retry in ${retryAfter} s with a valid key`, {
          'retry-after': String(retryAfter),
        });
        return;
      }
      graphqlError(res, 401, 'UNAUTHENTICATED', 'A valid API key is required: send Authorization: Bearer <api key>', {
        'www-authenticate': 'Bearer realm="bookgraph"',
      });
      return;
    }
    const raw = req.method === 'POST' ? await readBody(req) : '';
    if (raw === null) {
      graphqlError(res, 413, 'BAD_REQUEST', `The request body is larger than ${MAX_BODY_BYTES} bytes`);
      return;
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    let body: unknown = raw;
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (req.method === 'POST' && contentType === 'application/json') {
      try {
        body = JSON.parse(raw);
      } catch {
        graphqlError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
        return;
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => createContext(services, tenant),
    });
    const outHeaders: Record<string, string> = {};
    for (const [k, v] of result.headers) outHeaders[k] = v;
    if (result.body.kind === 'complete') {
      res.writeHead(result.status ?? 200, outHeaders);
      res.end(result.body.string);
      return;
    }
    res.writeHead(result.status ?? 200, outHeaders);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://gateway.local');
      if (url.pathname === '/healthz') {
        sendJson(res, 200, { status: 'ok' });
        return;
      }
      if (url.pathname === '/readyz') {
        if (options.ready && !options.ready()) {
          sendJson(res, 503, { status: 'starting' });
          return;
        }
        const ok = await services.store.ping();
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'store unreachable' });
        return;
      }
      if (url.pathname === '/metrics') {
        await serveMetrics(req, res, services);
        return;
      }
      if (!isHostExempt(url.pathname) && !isAllowedHost(hosts, req.headers.host)) {
        req.resume();
        sendJson(res, 421, { error: 'misdirected request', message: 'This gateway does not answer for this Host; see ALLOWED_HOSTS.' });
        return;
      }
      if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        // The front door leads to GraphiQL (which /graphql serves to browsers).
        res.writeHead(302, { location: '/graphql', 'content-length': '0' });
        res.end();
        return;
      }
      if (url.pathname === '/graphql') {
        if (wantsGraphiQL(req, url)) {
          // The demo key only on a page served under a listed name (not merely ALLOWED_HOSTS=*).
          const defaultHeaders = isListedHost(hosts, req.headers.host) ? options.graphiqlHeaders : undefined;
          const html = renderGraphiQLPage({ endpoint: '/graphql', assetsPath: '/graphiql', defaultHeaders, title: 'Bookgraph' });
          res.writeHead(200, graphiqlPageHeaders('/graphql'));
          res.end(html);
          return;
        }
        await handleGraphQL(req, res, url);
        return;
      }
      if (url.pathname.startsWith('/graphiql/') && req.method === 'GET') {
        let name: string;
        try {
          name = decodeURIComponent(url.pathname.slice('/graphiql/'.length));
        } catch {
          sendJson(res, 400, { error: 'malformed path' });
          return;
        }
        const asset = await graphiqlAsset(name);
        if (asset) {
          res.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'public, max-age=3600' });
          res.end(asset.body);
          return;
        }
      }
      for (const route of options.routes ?? []) if (await route(req, res, url)) return;
      sendJson(res, 404, { error: 'not found' });
    } catch (err) {
      const store = storeFailure(err);
      if (store) {
        // The store is down (or a lock wait ran out) before GraphQL ran, e.g. looking up the API key.
        if (!res.headersSent) graphqlError(res, 503, 'STORE_UNAVAILABLE', store, { 'retry-after': '1' });
        else res.destroy();
        return;
      }
      log.error({ err }, 'request failed');
      if (!res.headersSent) graphqlError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const subscriptions = attachSubscriptions(server, services, { hosts, keyFailures });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    server,
    url,
    async close() {
      await subscriptions.close();
      await apollo.stop();
    },
  };
}
