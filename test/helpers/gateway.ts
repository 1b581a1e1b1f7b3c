import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import type { Platform } from '../../src/sandbox/framework/types.js';
import { type RunningGateway, startGateway } from '../../src/server/gateway-process.js';

export interface TestGateway {
  url: string;
  gateway: RunningGateway;
  emulators: Partial<Record<Platform, string>>;
  demoKey: string;
  encryptionKey: string;
  /** A new tenant with its API key. */
  tenant(name?: string): Promise<{ id: string; apiKey: string }>;
  close(): Promise<void>;
}

/**
 * A real gateway in sandbox mode on a random port, with the emulators in-process on random ports,
 * a memory store unless `storeUrl` is given, no logs, and the response cache off unless `env` turns
 * it on (RESPONSE_CACHE=on).
 */
export async function startTestGateway(
  opts: { storeUrl?: string; encryptionKey?: string; env?: Record<string, string>; log?: Logger; clock?: () => number } = {},
): Promise<TestGateway> {
  const encryptionKey = opts.encryptionKey ?? randomBytes(32).toString('base64');
  const env = {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    STORE_URL: opts.storeUrl ?? 'memory://',
    SANDBOX: 'true',
    SANDBOX_PORT_BASE: '0',
    BOOKGRAPH_ENCRYPTION_KEY: encryptionKey,
    LOG_LEVEL: 'silent',
    // Most suites watch what each query does at the platform (token renewals, faults, call counts):
    // they read through. Suites about the response cache turn it on.
    RESPONSE_CACHE: 'off',
    ...opts.env,
  };
  const config = loadConfig(env);
  const gateway = await startGateway(config, { env, log: opts.log, clock: opts.clock });
  return {
    url: gateway.url,
    gateway,
    emulators: gateway.emulators,
    demoKey: gateway.demoApiKey as string,
    encryptionKey,
    async tenant(name = `tenant-${randomBytes(4).toString('hex')}`) {
      const { tenant, apiKey } = await gateway.services.tenants.create(name);
      return { id: tenant.id, apiKey };
    },
    close: () => gateway.close(),
  };
}

export interface GqlResult<T = any> {
  status: number;
  body: { data?: T; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

/** POSTs a GraphQL operation to the gateway like any client. */
export async function gql<T = any>(url: string, apiKey: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResult<T>['body'] };
}

const POST_ONLY = new Set(['stats/reset', 'reset', 'revoke-all']);

/** Calls an emulator's control API (GET unless a body is given or the route only takes POST). */
export async function sandbox<T = any>(
  origin: string,
  path: string,
  body?: unknown,
  method = body === undefined && !POST_ONLY.has(path) ? 'GET' : 'POST',
): Promise<T> {
  const res = await fetch(`${origin}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Connects a tenant to a platform through the public API. */
export async function connect(url: string, apiKey: string, provider: string, credentials: unknown, sandboxHosts = true) {
  const r = await gql(url, apiKey, 'mutation($input: ConnectProviderInput!) { connectProvider(input: $input) { id provider status statusReason label } }', {
    input: { provider, credentials, sandbox: sandboxHosts },
  });
  return r;
}
