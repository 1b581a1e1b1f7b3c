import { z } from 'zod';
import { PLATFORMS, type Provider } from '../connectors/platforms.js';

/**
 * Gateway configuration from environment variables, validated at start-up. A bad value stops
 * start-up with one line naming the variable (see `loadConfig`). `.env.example` lists them all.
 */

const url = z.string().url();
const optionalUrl = url.optional();
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Comma-separated `http(s)://host[:port]` origins (no path); empty entries ignored. */
const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every(isOrigin), { message: 'expected comma-separated origins like http://127.0.0.1:4001 (no path)' });

/** Comma-separated host names or addresses (no scheme, no port; IPv6 in brackets), or `*` alone. */
const hostNames = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .refine((list) => (list.includes('*') ? list.length === 1 : list.every((h) => /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$/.test(h))), {
    message: 'expected comma-separated host names without scheme or port (e.g. bookgraph.internal,10.0.0.7), or * alone',
  });

/** Per platform: `<KEY>_API_URL`, `_AUTH_URL`, `_SANDBOX_API_URL`, `_SANDBOX_AUTH_URL`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_APP_NAME`. */
const platformEnv = Object.fromEntries(
  PLATFORMS.map((p) => p.key).flatMap((p) => [
    [`${p}_API_URL`, optionalUrl],
    [`${p}_AUTH_URL`, optionalUrl],
    [`${p}_SANDBOX_API_URL`, optionalUrl],
    [`${p}_SANDBOX_AUTH_URL`, optionalUrl],
    [`${p}_CLIENT_ID`, z.string().min(1).optional()],
    [`${p}_CLIENT_SECRET`, z.string().min(1).optional()],
    [`${p}_APP_NAME`, z.string().min(1).optional()],
  ]),
) as Record<string, z.ZodOptional<z.ZodString>>;

const EnvSchema = z.object({
  /** `production` turns introspection off by default. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The gateway's HTTP port (0: any free port). */
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  /** The address the gateway binds (`0.0.0.0` for every interface). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Public origin of the gateway (for OAuth redirect URIs and webhook URLs). Default http://127.0.0.1:PORT. */
  PUBLIC_URL: optionalUrl,
  /** `file://./data/bookgraph.json` (default), `redis://…`, `postgres://…`, `memory://`. */
  STORE_URL: z.string().min(1).default('file://./data/bookgraph.json'),
  /** base64 of 32 random bytes; several keys: `id1:base64,id2:base64` (the first encrypts). */
  BOOKGRAPH_ENCRYPTION_KEY: z.string().min(1).optional(),
  /** `auto` (sandbox when no platform is configured), `true`, `false`. */
  SANDBOX: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Sandbox mode's emulators listen on base+1 … base+5 (DaySchedule, bookingtime, yAppointment, Appointedd, OnSched); 0: any free ports. */
  SANDBOX_PORT_BASE: z.coerce.number().int().min(0).max(65_000).default(4100),
  /**
   * `in-process` (default): sandbox mode starts the emulators itself. `external`: they already run
   * (`bookgraph sandbox` with the same SANDBOX_PORT_BASE), e.g. so a benchmark measures the gateway alone.
   */
  SANDBOX_EMULATORS: z.enum(['in-process', 'external']).default('in-process'),
  /**
   * More gateway origins the emulators accept consent redirects to (each gets
   * `/oauth/callback/<platform>`), beside PUBLIC_URL's: the instances of a cluster, on any port.
   */
  SANDBOX_REDIRECT_ORIGINS: origins.optional(),
  /** Enforce the emulated platforms' documented rate limits (turn off for benchmarks). */
  SANDBOX_RATE_LIMITS: bool.default(true),
  /** The sandbox demo tenant's API key (at least 32 characters); default: generated once and kept in the store. */
  DEMO_API_KEY: z.string().min(32).optional(),
  /**
   * Host names (any port) the gateway answers besides the loopback names, PUBLIC_URL's host and the
   * bind address: comma-separated, e.g. `bookgraph.internal,10.0.0.7`. `*` answers any Host (no
   * defence against DNS rebinding; GraphiQL still gets the demo key only on the listed names).
   */
  ALLOWED_HOSTS: hostNames.optional(),
  /** Wrong API keys one client address may send within API_KEY_FAILURE_WINDOW_SECONDS; the next get 429 (0 = no limit). */
  API_KEY_MAX_FAILURES: z.coerce.number().int().min(0).max(100_000).default(10),
  API_KEY_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** How long an address that went over API_KEY_MAX_FAILURES gets 429 for a wrong key, in seconds. */
  API_KEY_BLOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** GraphQL introspection; default on unless NODE_ENV=production. */
  INTROSPECTION: bool.optional(),
  /** The least severe log level written. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto` (default): pretty, colored lines when stdout is a terminal outside production, JSON otherwise; `pretty`, `json` force one. */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  /** When set, `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters). */
  METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * OpenTelemetry traces (the standard variable): `otlp` (to OTEL_EXPORTER_OTLP_ENDPOINT or
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, over HTTP/protobuf-JSON), `console`, `none`. Unset: `otlp` when an
   * OTLP endpoint is set, else no tracing.
   */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  /** The `service.name` of the spans (default `bookgraph`). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Largest `first` a connection argument accepts. */
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  /** The deadline of all the platform calls one GraphQL request makes on one connection (retries included), in ms. */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * `on` (default): platform answers are reused while fresh (`DEFAULT_RESPONSE_TTLS`); `off`: every
   * read asks the platform (connectors still cache their reference data).
   */
  RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
  /** Memory bound of the platform-response and connector caches, in MiB (approximate). */
  CACHE_MAX_MB: z.coerce.number().int().min(1).max(4_096).default(32),
  /** Platform calls in flight per connection; more wait in a queue (token requests never do). */
  PROVIDER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Longest wait in that queue, in ms, before the call fails with PROVIDER_UNAVAILABLE. */
  PROVIDER_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
  /** Failed platform calls in a row (5xx, timeouts, resets) that open a connection's circuit; 0 turns the breaker off. */
  PROVIDER_BREAKER_FAILURES: z.coerce.number().int().min(0).max(1_000).default(5),
  /** Failures further apart than this, in seconds, do not add up. */
  PROVIDER_BREAKER_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** How long an open circuit answers PROVIDER_UNAVAILABLE without calling the platform, in seconds; then one probe. */
  PROVIDER_BREAKER_COOLDOWN_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  /** GraphQL requests in flight in this process; beyond it a request gets 503 + Retry-After at once. */
  MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  /** Operation limits, checked before execution (QUERY_TOO_COMPLEX): see `src/server/limits.ts`. */
  QUERY_MAX_DEPTH: z.coerce.number().int().min(1).max(1_000).default(15),
  QUERY_MAX_ALIASES: z.coerce.number().int().min(0).max(100_000).default(100),
  QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(100_000).default(50),
  QUERY_MAX_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(5_000),
  /** Selections once every fragment is spread where it is used. */
  QUERY_MAX_FIELDS: z.coerce.number().int().min(10).max(1_000_000).default(2_000),
  /** Upper bound of platform calls plus objects an operation may cost (`first` multiplies). */
  QUERY_MAX_COST: z.coerce.number().int().min(1).max(100_000_000).default(5_000),
  /** Largest answer sent, in bytes of JSON; a larger one is replaced by RESPONSE_TOO_LARGE. */
  RESPONSE_MAX_BYTES: z.coerce.number().int().min(1_000).max(1_000_000_000).default(5_000_000),
  /** How often each connection with a webhook subscription is polled for changes, in seconds. */
  POLL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** How long a delivery to a subscription's targetUrl is retried before it is FAILED, in seconds. */
  WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(86_400),
  /** The first retry delay of a delivery, in ms; each next one doubles (with jitter) up to an hour. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** How long one delivery attempt may take, in ms. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** After a token renewal failed inconclusively (5xx, timeout), no new attempt on that connection for this long, in seconds. */
  TOKEN_RENEW_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /** How often idle connections' long-lived grants are checked (one instance at a time), in seconds. */
  GRANT_KEEPALIVE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
  /** A grant that ends within this many hours is renewed by the keep-alive. */
  GRANT_RENEW_AHEAD_HOURS: z.coerce.number().int().min(1).max(2_160).default(168),
  ...platformEnv,
});

export type Env = z.infer<typeof EnvSchema>;

export interface PlatformEndpoints {
  apiUrl: string;
  authUrl: string;
  sandboxApiUrl: string;
  sandboxAuthUrl: string;
  clientId?: string;
  clientSecret?: string;
  appName?: string;
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  publicUrl: string | null;
  storeUrl: string;
  encryptionKey?: string;
  sandbox: 'auto' | 'true' | 'false';
  sandboxPortBase: number;
  sandboxEmulators: 'in-process' | 'external';
  sandboxRateLimits: boolean;
  /** Origins (no trailing slash) whose `/oauth/callback/<platform>` the emulators accept, beside `publicUrl`'s. */
  sandboxRedirectOrigins: string[];
  demoApiKey?: string;
  /** ALLOWED_HOSTS: extra host names the gateway answers (`['*']`: any). */
  allowedHosts: string[];
  /** Wrong API keys per client address (`src/auth/key-failures.ts`); maxFailures 0 = no limit. */
  apiKeyFailures: { maxFailures: number; windowMs: number; blockMs: number };
  introspection: boolean;
  logLevel: Env['LOG_LEVEL'];
  logFormat: Env['LOG_FORMAT'];
  /** METRICS_TOKEN: the bearer token `/metrics` needs, or null (open). */
  metricsToken: string | null;
  /** Where spans go (`src/observability/tracing.ts`); null: no tracing (a no-op tracer). */
  tracing: { exporter: 'otlp' | 'console'; otlpTracesUrl: string | null; serviceName: string } | null;
  maxPageSize: number;
  providerTimeoutMs: number;
  responseCache: boolean;
  cacheMaxBytes: number;
  providerConcurrency: number;
  providerQueueTimeoutMs: number;
  /** Failures in a row that open a connection's circuit (0: no breaker). */
  breakerFailures: number;
  breakerWindowMs: number;
  breakerCooldownMs: number;
  maxInFlight: number;
  /** Operation limits and the answer-size bound (`src/server/limits.ts`). */
  limits: { maxDepth: number; maxAliases: number; maxDirectives: number; maxTokens: number; maxFields: number; maxCost: number; maxResponseBytes: number };
  pollIntervalMs: number;
  webhookRetryWindowMs: number;
  webhookRetryBaseMs: number;
  webhookTimeoutMs: number;
  tokenRenewCooldownMs: number;
  grantKeepAliveIntervalMs: number;
  grantRenewAheadMs: number;
  platforms: Record<Provider, PlatformEndpoints>;
}

/** Thrown with one human line naming the variable. */
export class ConfigError extends Error {}

/** Validates `env` (default `process.env`); throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message} (got ${JSON.stringify(env[name] ?? null)})`);
  }
  const e = parsed.data as Env & Record<string, string | undefined>;
  const platforms = {} as Record<Provider, PlatformEndpoints>;
  for (const { key: p, hosts, sandboxHosts } of PLATFORMS) {
    const apiUrl = e[`${p}_API_URL`] ?? hosts.api;
    const authUrl = e[`${p}_AUTH_URL`] ?? hosts.auth;
    platforms[p] = {
      apiUrl: trimSlash(apiUrl),
      authUrl: trimSlash(authUrl),
      sandboxApiUrl: trimSlash(e[`${p}_SANDBOX_API_URL`] ?? sandboxHosts?.api ?? apiUrl),
      sandboxAuthUrl: trimSlash(e[`${p}_SANDBOX_AUTH_URL`] ?? sandboxHosts?.auth ?? authUrl),
      clientId: e[`${p}_CLIENT_ID`],
      clientSecret: e[`${p}_CLIENT_SECRET`],
      appName: e[`${p}_APP_NAME`],
    };
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ? trimSlash(e.PUBLIC_URL) : null,
    storeUrl: e.STORE_URL,
    encryptionKey: e.BOOKGRAPH_ENCRYPTION_KEY,
    sandbox: e.SANDBOX,
    sandboxPortBase: e.SANDBOX_PORT_BASE,
    sandboxEmulators: e.SANDBOX_EMULATORS,
    sandboxRateLimits: e.SANDBOX_RATE_LIMITS,
    sandboxRedirectOrigins: (e.SANDBOX_REDIRECT_ORIGINS ?? []).map(trimSlash),
    demoApiKey: e.DEMO_API_KEY,
    allowedHosts: e.ALLOWED_HOSTS ?? [],
    apiKeyFailures: { maxFailures: e.API_KEY_MAX_FAILURES, windowMs: e.API_KEY_FAILURE_WINDOW_SECONDS * 1_000, blockMs: e.API_KEY_BLOCK_SECONDS * 1_000 },
    introspection: e.INTROSPECTION ?? e.NODE_ENV !== 'production',
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metricsToken: e.METRICS_TOKEN ?? null,
    tracing: tracingOf(e),
    maxPageSize: e.MAX_PAGE_SIZE,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    responseCache: e.RESPONSE_CACHE === 'on',
    cacheMaxBytes: e.CACHE_MAX_MB * 1024 * 1024,
    providerConcurrency: e.PROVIDER_CONCURRENCY,
    providerQueueTimeoutMs: e.PROVIDER_QUEUE_TIMEOUT_MS,
    breakerFailures: e.PROVIDER_BREAKER_FAILURES,
    breakerWindowMs: e.PROVIDER_BREAKER_WINDOW_SECONDS * 1_000,
    breakerCooldownMs: e.PROVIDER_BREAKER_COOLDOWN_SECONDS * 1_000,
    maxInFlight: e.MAX_IN_FLIGHT,
    limits: {
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxDirectives: e.QUERY_MAX_DIRECTIVES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxFields: e.QUERY_MAX_FIELDS,
      maxCost: e.QUERY_MAX_COST,
      maxResponseBytes: e.RESPONSE_MAX_BYTES,
    },
    pollIntervalMs: e.POLL_INTERVAL_SECONDS * 1_000,
    webhookRetryWindowMs: e.WEBHOOK_RETRY_WINDOW_SECONDS * 1_000,
    webhookRetryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    tokenRenewCooldownMs: e.TOKEN_RENEW_COOLDOWN_SECONDS * 1_000,
    grantKeepAliveIntervalMs: e.GRANT_KEEPALIVE_INTERVAL_SECONDS * 1_000,
    grantRenewAheadMs: e.GRANT_RENEW_AHEAD_HOURS * 3_600_000,
    platforms,
  };
}

/** The tracing set-up the standard OTEL_* variables ask for, or null (spec: `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_*`). */
function tracingOf(e: Env): Config['tracing'] {
  const otlpTracesUrl =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${trimSlash(e.OTEL_EXPORTER_OTLP_ENDPOINT)}/v1/traces` : null);
  const exporter = e.OTEL_TRACES_EXPORTER ?? (otlpTracesUrl ? 'otlp' : 'none');
  if (exporter === 'none') return null;
  return { exporter, otlpTracesUrl, serviceName: e.OTEL_SERVICE_NAME ?? 'bookgraph' };
}

/** True when any platform has client credentials or an explicit API URL configured. */
export function hasPlatformConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  return PLATFORMS.some(({ key }) => env[`${key}_CLIENT_ID`] || env[`${key}_API_URL`]);
}

function isOrigin(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname === '/' && !u.search && !u.hash;
  } catch {
    return false;
  }
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
