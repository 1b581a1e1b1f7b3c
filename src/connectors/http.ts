import type { z } from 'zod';
import { ProviderError, ProviderResponseError } from './errors.js';
import { AccessTokenRejectedError } from '../tokens/errors.js';

export interface HttpRequest {
  /** Names the operation in errors and logs (`listBookings`, `token`). */
  operation: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A raw body (form, text); for JSON use `json`. */
  body?: string | URLSearchParams;
  /** Sent as JSON with `contentType` (default `application/json`). */
  json?: unknown;
  contentType?: string;
  /** Retry network errors and 5xx (default: true for GET). 429 with a short Retry-After is always retried. */
  idempotent?: boolean;
  /**
   * `auth` calls (token requests, revocation) skip the connection's queue: the renewal that API calls
   * wait for is never stuck behind them. Default: `auth` for the operations named in AUTH_OPERATIONS.
   */
  lane?: 'api' | 'auth';
}

/** Operations that are token-endpoint or revocation calls (connectors name them so). */
const AUTH_OPERATIONS = new Set(['token', 'refreshToken', 'exchangeCode', 'revoke']);

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpClientOptions {
  /** The platform's key, in errors and messages. */
  provider: string;
  /** Timeout of one attempt, in ms. */
  timeoutMs: number;
  /** Extra attempts for idempotent calls after a network error or 5xx. */
  maxRetries?: number;
  /** Longest Retry-After (seconds) the client waits out by itself before giving up with 429. */
  maxRetryAfterSeconds?: number;
  userAgent?: string;
  /** API calls in flight at once (per client, i.e. per connection); more wait in a queue. Default 8. */
  maxConcurrent?: number;
  /** Longest wait in that queue, in ms, before the call fails with PROVIDER_UNAVAILABLE. Default 5_000. */
  queueTimeoutMs?: number;
}

/**
 * A counting semaphore with a bounded wait: at most `limit` holders; a waiter that is not let in
 * within `timeoutMs` gets `false`. (Written here because p-limit and p-queue bound the work, not the
 * time spent waiting for a slot.)
 */
class Slots {
  private active = 0;
  private readonly waiting: Array<(granted: boolean) => void> = [];

  constructor(
    private readonly limit: number,
    private readonly timeoutMs: number,
  ) {}

  acquire(): Promise<boolean> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, this.timeoutMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.active--;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The one way connectors talk HTTP: timeouts, bounded retries with backoff, 429 Retry-After, and
 * network failures turned into `PROVIDER_UNAVAILABLE`. It returns every HTTP status; `expectOk`
 * classifies the non-2xx ones. Identical GETs in flight (same URL and headers) share one call; API
 * calls of one client (one connection) are bounded by `maxConcurrent`, with a bounded wait.
 */
export class HttpClient {
  readonly provider: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly userAgent: string;
  private readonly slots: Slots;
  private readonly queueTimeoutMs: number;
  private readonly inflight = new Map<string, Promise<HttpResponse>>();

  constructor(opts: HttpClientOptions) {
    this.provider = opts.provider;
    this.queueTimeoutMs = opts.queueTimeoutMs ?? 5_000;
    this.slots = new Slots(opts.maxConcurrent ?? 8, this.queueTimeoutMs);
    this.timeoutMs = opts.timeoutMs;
    this.maxRetries = opts.maxRetries ?? 2;
    this.maxRetryAfterSeconds = opts.maxRetryAfterSeconds ?? 2;
    this.userAgent = opts.userAgent ?? 'Bookgraph/0.1 (+https://github.com/bookgraph)';
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const lane = req.lane ?? (AUTH_OPERATIONS.has(req.operation) ? 'auth' : 'api');
    if (lane === 'auth') return this.attempt(req);
    if ((req.method ?? 'GET') === 'GET' && req.body === undefined && req.json === undefined) {
      const key = `${req.url}\n${JSON.stringify(req.headers ?? {})}`;
      const running = this.inflight.get(key);
      if (running) return running;
      const p = this.queued(req).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
      return p;
    }
    return this.queued(req);
  }

  private async queued(req: HttpRequest): Promise<HttpResponse> {
    if (!(await this.slots.acquire())) {
      throw new ProviderError(
        this.provider,
        req.operation,
        'PROVIDER_UNAVAILABLE',
        `${this.provider} is busy: no call slot freed within ${this.queueTimeoutMs} ms (${req.operation})`,
      );
    }
    try {
      return await this.attempt(req);
    } finally {
      this.slots.release();
    }
  }

  private async attempt(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method ?? 'GET';
    const idempotent = req.idempotent ?? method === 'GET';
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent, ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = req.contentType ?? 'application/json';
    } else if (req.body instanceof URLSearchParams) {
      body = req.body.toString();
      headers['content-type'] = req.contentType ?? 'application/x-www-form-urlencoded';
    } else if (req.body !== undefined) {
      body = req.body;
      if (req.contentType) headers['content-type'] = req.contentType;
    }

    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(req.url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        if (idempotent && attempt < this.maxRetries) {
          await sleep(backoffMs(attempt));
          continue;
        }
        const timedOut = (err as Error).name === 'TimeoutError';
        throw new ProviderError(
          this.provider,
          req.operation,
          'PROVIDER_UNAVAILABLE',
          `${this.provider} ${timedOut ? `did not answer within ${this.timeoutMs} ms` : 'could not be reached'} (${req.operation})`,
          { cause: err },
        );
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        if (idempotent && attempt < this.maxRetries) continue;
        throw new ProviderError(this.provider, req.operation, 'PROVIDER_UNAVAILABLE', `${this.provider} broke off its answer (${req.operation})`, {
          cause: err,
        });
      }
      if (res.status === 429 && attempt < this.maxRetries) {
        const wait = retryAfterSeconds(res.headers);
        if (wait !== null && wait <= this.maxRetryAfterSeconds) {
          await sleep(wait * 1000);
          continue;
        }
      }
      if (res.status >= 500 && idempotent && attempt < this.maxRetries) {
        await sleep(backoffMs(attempt));
        continue;
      }
      return { status: res.status, headers: res.headers, text };
    }
  }
}

function backoffMs(attempt: number): number {
  return 100 * 3 ** attempt + Math.floor(Math.random() * 50);
}

/** Retry-After in seconds (delta-seconds or HTTP date), or null. */
export function retryAfterSeconds(headers: Headers): number | null {
  const v = headers.get('retry-after');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The platform's clock at the time of an answer: its `Date` header (RFC 9110 §6.6.1), else
 * `fallbackMs`. Lifetimes a platform states are counted on its clock, so expiries a connector must
 * compare with the platform's own judgement are best kept on that clock too.
 */
export function platformNow(headers: Headers, fallbackMs: number): number {
  const value = headers.get('date');
  const at = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? fallbackMs : at;
}

/**
 * Classifies a non-2xx answer (STYLE: one place). 401 → `AccessTokenRejectedError` (the token
 * manager renews once); 403 → FORBIDDEN; 404 → NOT_FOUND; 400/409/422 → BAD_USER_INPUT for writes,
 * PROVIDER_ERROR for reads; 429 and 5xx → PROVIDER_UNAVAILABLE. `describe` extracts the platform's
 * own message from its error body (it must not echo secrets).
 */
export function expectOk(
  res: HttpResponse,
  ctx: { provider: string; operation: string; write?: boolean; describe?: (text: string) => string | null },
): HttpResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const { provider, operation } = ctx;
  if (res.status === 401) throw new AccessTokenRejectedError(provider, operation);
  let detail: string | null = null;
  try {
    detail = ctx.describe?.(res.text) ?? null;
  } catch {
    detail = null;
  }
  const suffix = detail ? `: ${detail}` : '';
  const opts = { status: res.status, retryAfterSeconds: retryAfterSeconds(res.headers) ?? undefined };
  if (res.status === 403) throw new ProviderError(provider, operation, 'FORBIDDEN', `${provider} refused ${operation}${suffix}`, opts);
  if (res.status === 404) throw new ProviderError(provider, operation, 'NOT_FOUND', `${provider} found nothing for ${operation}${suffix}`, opts);
  if (res.status === 429) {
    throw new ProviderError(provider, operation, 'PROVIDER_UNAVAILABLE', `${provider} is rate limiting ${operation}${suffix}`, opts);
  }
  if (res.status >= 500) {
    throw new ProviderError(provider, operation, 'PROVIDER_UNAVAILABLE', `${provider} failed with HTTP ${res.status} (${operation})`, opts);
  }
  if (ctx.write && (res.status === 400 || res.status === 409 || res.status === 422)) {
    throw new ProviderError(provider, operation, 'BAD_USER_INPUT', `${provider} rejected ${operation}${suffix}`, opts);
  }
  throw new ProviderError(provider, operation, 'PROVIDER_ERROR', `${provider} answered HTTP ${res.status} to ${operation}${suffix}`, opts);
}

/** Parses a JSON body against `schema`; a mismatch is a typed `ProviderResponseError`. */
export function parseBody<S extends z.ZodType>(res: HttpResponse, schema: S, provider: string, operation: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(res.text);
  } catch {
    throw new ProviderResponseError(provider, operation, 'the body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderResponseError(provider, operation, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
