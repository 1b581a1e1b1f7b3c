import { AsyncLocalStorage } from 'node:async_hooks';
import type { z } from 'zod';
import { type CircuitBreaker, CircuitState, callOutcome } from './breaker.js';
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
  /**
   * Safe to send again: network errors and 5xx are retried, with jittered backoff, while the deadline
   * leaves room (default: true for GET). Never for writes or a rotating refresh token. 429 with a
   * short Retry-After is always retried (the platform refused it before doing anything).
   */
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
  /**
   * The deadline of a call, in ms, retries included; within `CallDeadlines.run` the deadline of all
   * the calls of that unit of work (a GraphQL request) on this client's connection, from the first.
   */
  timeoutMs: number;
  /** The connection this client calls for: the key of its deadline in `CallDeadlines`. */
  connectionId?: string;
  /** Extra attempts for idempotent calls after a network error or 5xx, while the deadline leaves room. */
  maxRetries?: number;
  /** Longest Retry-After (seconds) the client waits out by itself before giving up with 429. */
  maxRetryAfterSeconds?: number;
  userAgent?: string;
  /** API calls in flight at once (per client, i.e. per connection); more wait in a queue. Default 8. */
  maxConcurrent?: number;
  /** Longest wait in that queue, in ms, before the call fails with PROVIDER_UNAVAILABLE. Default 5_000. */
  queueTimeoutMs?: number;
  /** The connection's circuit breaker: API calls (not token requests) ask it first and report to it. */
  breaker?: CircuitBreaker;
  /** Told about every call that goes out (metrics, traces): see `HttpObserver`. */
  observer?: HttpObserver;
}

/** One HTTP call as an `HttpObserver` sees it: names only, never the URL, headers or body. */
export interface ObservedCall {
  provider: string;
  operation: string;
  method: string;
  /** The unit of work (a GraphQL request's `CallDeadlines`) the call is made for, when there is one. */
  unit: CallDeadlines | undefined;
}

/**
 * Watches the calls an `HttpClient` sends: `callStarted` as each attempt goes out (a retry is a
 * call of its own), and the function it returns once that attempt ends, with the HTTP status or
 * null when no answer came (timeout, reset, refused, a body broken off). Must not throw.
 */
export interface HttpObserver {
  callStarted(call: ObservedCall): (status: number | null) => void;
}

/**
 * The deadlines of one unit of work, a GraphQL request: per connection, the instant (epoch ms) by
 * which every platform call of that request on that connection must be done, retries, queue waits
 * and token renewals included. The first call starts it (`timeoutMs` later); later calls share it.
 * `run` makes it apply to every `HttpClient` call inside (AsyncLocalStorage, so connectors need no
 * extra argument); outside any `run`, each call has a deadline of its own.
 */
export class CallDeadlines {
  private readonly ends = new Map<string, number>();

  /** @param timeoutMs the deadline a connection gets from its first call, in ms (`PROVIDER_TIMEOUT_MS`). */
  constructor(readonly timeoutMs: number) {}

  /** The deadline of `key` (epoch ms), started now if this is its first use. */
  of(key: string, timeoutMs = this.timeoutMs, now = Date.now()): number {
    let end = this.ends.get(key);
    if (end === undefined) {
      end = now + timeoutMs;
      this.ends.set(key, end);
    }
    return end;
  }

  /** Runs `work` with these deadlines applying to every HttpClient call it makes. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return activeDeadlines.run(this, work);
  }

  /**
   * Runs `work` (calls on connection `key` of `provider`) like `run`, and rejects with the deadline
   * error if it has not settled `DEADLINE_GRACE_MS` after that connection's deadline (started now if
   * the work is its first): bounded even when what waits is not a platform call (a lock, a store).
   */
  bounded<T>(key: string, provider: string, operation: string, work: () => Promise<T>): Promise<T> {
    const end = this.of(key);
    const running = this.run(work);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(deadlineError(provider, operation, this.timeoutMs)), Math.max(0, end - Date.now()) + DEADLINE_GRACE_MS);
    });
    return Promise.race([running, expired]).finally(() => clearTimeout(timer));
  }
}

/** How long past a deadline `CallDeadlines.bounded` waits for the platform call's own deadline error, in ms. */
const DEADLINE_GRACE_MS = 25;

const activeDeadlines = new AsyncLocalStorage<CallDeadlines>();

/** The error of a call whose deadline passed: PROVIDER_UNAVAILABLE, "did not answer within N ms". */
export function deadlineError(provider: string, operation: string, timeoutMs: number, cause?: unknown): ProviderError {
  return new ProviderError(provider, operation, 'PROVIDER_UNAVAILABLE', `${provider} did not answer within ${timeoutMs} ms (${operation})`, { cause });
}

/**
 * A counting semaphore with a bounded wait: at most `limit` holders; a waiter that is not let in
 * within `timeoutMs` gets `false`. (Written here because p-limit and p-queue bound the work, not the
 * time spent waiting for a slot.)
 */
class Slots {
  private active = 0;
  private readonly waiting: Array<(granted: boolean) => void> = [];

  constructor(private readonly limit: number) {}

  /** A slot, or `false` after `timeoutMs` of waiting. */
  acquire(timeoutMs: number): Promise<boolean> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(
        () => {
          const i = this.waiting.indexOf(grant);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
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

let clients = 0;

/** Errors of calls that never reached the platform (not a platform failure for the breaker). */
const notSent = new WeakSet<object>();
function unsent<E extends object>(err: E): E {
  notSent.add(err);
  return err;
}

/**
 * The one way connectors talk HTTP: one deadline per call (or per request and connection, see
 * `CallDeadlines`) that retries fit inside, jittered backoff, 429 Retry-After, and network failures
 * turned into `PROVIDER_UNAVAILABLE`. It returns every HTTP status; `expectOk` classifies the
 * non-2xx ones. Identical GETs in flight (same URL and headers) share one call; API calls of one
 * client (one connection) are bounded by `maxConcurrent`, with a bounded wait, and go through the
 * connection's circuit breaker when it has one.
 */
export class HttpClient {
  readonly provider: string;
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly userAgent: string;
  private readonly slots: Slots;
  private readonly queueTimeoutMs: number;
  private readonly breaker?: CircuitBreaker;
  private readonly observer?: HttpObserver;
  private readonly inflight = new Map<string, Promise<HttpResponse>>();

  constructor(opts: HttpClientOptions) {
    this.provider = opts.provider;
    this.key = opts.connectionId ?? `${opts.provider}#${++clients}`;
    this.queueTimeoutMs = opts.queueTimeoutMs ?? 5_000;
    this.slots = new Slots(opts.maxConcurrent ?? 8);
    this.timeoutMs = opts.timeoutMs;
    this.maxRetries = opts.maxRetries ?? 2;
    this.maxRetryAfterSeconds = opts.maxRetryAfterSeconds ?? 2;
    this.userAgent = opts.userAgent ?? 'Bookgraph/0.1 (+https://github.com/bookgraph)';
    this.breaker = opts.breaker;
    this.observer = opts.observer;
  }

  /**
   * Sends `req`, retrying what is safe to retry until its deadline. Throws PROVIDER_UNAVAILABLE when
   * the deadline passes ("did not answer within N ms"), the platform cannot be reached, the
   * connection's queue stays full, or its circuit is open (then without calling the platform).
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const deadline = activeDeadlines.getStore()?.of(this.key, this.timeoutMs) ?? Date.now() + this.timeoutMs;
    const lane = req.lane ?? (AUTH_OPERATIONS.has(req.operation) ? 'auth' : 'api');
    // Token requests skip the breaker: a failed renewal already pauses renewals (TOKEN_RENEW_COOLDOWN_SECONDS).
    if (lane === 'auth') return this.attempt(req, deadline);
    if ((req.method ?? 'GET') === 'GET' && req.body === undefined && req.json === undefined) {
      const key = `${req.url}\n${JSON.stringify(req.headers ?? {})}`;
      const running = this.inflight.get(key);
      // A caller joining a call another request started still waits no longer than its own deadline.
      if (running) return this.within(running, deadline, req.operation);
      const p = this.guarded(req, deadline).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
      return p;
    }
    return this.guarded(req, deadline);
  }

  /** An API call through the circuit breaker: refused at once while it is open, reported to it after. */
  private async guarded(req: HttpRequest, deadline: number): Promise<HttpResponse> {
    const breaker = this.breaker;
    if (!breaker) return this.queued(req, deadline);
    const admission = await breaker.admit(deadline);
    if (!admission.admitted) {
      throw new ProviderError(this.provider, req.operation, 'PROVIDER_UNAVAILABLE', `${this.provider} is failing: ${admission.reason} (${req.operation})`, {
        retryAfterSeconds: Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
      });
    }
    let res: HttpResponse;
    try {
      res = await this.queued(req, deadline);
    } catch (err) {
      // A call that never went out (full queue, deadline already spent) says nothing about the platform.
      breaker.record(notSent.has(err as object) ? 'neutral' : 'failure', admission.probe);
      throw err;
    }
    breaker.record(callOutcome(res.status, retryAfterSeconds(res.headers), this.maxRetryAfterSeconds), admission.probe);
    return res;
  }

  private async queued(req: HttpRequest, deadline: number): Promise<HttpResponse> {
    const left = deadline - Date.now();
    if (!(await this.slots.acquire(Math.min(this.queueTimeoutMs, left)))) {
      if (left <= this.queueTimeoutMs) throw unsent(deadlineError(this.provider, req.operation, this.timeoutMs));
      throw unsent(
        new ProviderError(
          this.provider,
          req.operation,
          'PROVIDER_UNAVAILABLE',
          `${this.provider} is busy: no call slot freed within ${this.queueTimeoutMs} ms (${req.operation})`,
        ),
      );
    }
    try {
      return await this.attempt(req, deadline);
    } finally {
      this.slots.release();
    }
  }

  /** `p`, or the deadline error once `deadline` (epoch ms) passes first. */
  private within<T>(p: Promise<T>, deadline: number, operation: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(deadlineError(this.provider, operation, this.timeoutMs)), Math.max(0, deadline - Date.now()));
    });
    return Promise.race([p, expired]).finally(() => clearTimeout(timer));
  }

  /**
   * Whether another attempt fits: retries left, after waiting `waitMs` still time for an answer, and
   * the connection's circuit not opened meanwhile (by this call's siblings).
   */
  private mayRetry(attempt: number, deadline: number, waitMs: number): boolean {
    if (this.breaker?.snapshot().state === CircuitState.OPEN) return false;
    return attempt < this.maxRetries && Date.now() + waitMs + minAttemptMs(this.timeoutMs) <= deadline;
  }

  private async attempt(req: HttpRequest, deadline: number): Promise<HttpResponse> {
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
      const left = deadline - Date.now();
      if (left <= 0) {
        const err = deadlineError(this.provider, req.operation, this.timeoutMs);
        throw attempt === 0 ? unsent(err) : err;
      }
      // One signal for the answer and its body: a platform that stalls mid-body is cut off too.
      const signal = AbortSignal.timeout(left);
      const ended = this.observer?.callStarted({ provider: this.provider, operation: req.operation, method, unit: activeDeadlines.getStore() });
      let res: Response;
      try {
        res = await fetch(req.url, { method, headers, body, redirect: 'manual', signal });
      } catch (err) {
        ended?.(null);
        if (signal.aborted) throw deadlineError(this.provider, req.operation, this.timeoutMs, err);
        const wait = backoffMs(attempt);
        if (idempotent && this.mayRetry(attempt, deadline, wait)) {
          await sleep(wait);
          continue;
        }
        throw new ProviderError(this.provider, req.operation, 'PROVIDER_UNAVAILABLE', `${this.provider} could not be reached (${req.operation})`, {
          cause: err,
        });
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        ended?.(null);
        if (signal.aborted) throw deadlineError(this.provider, req.operation, this.timeoutMs, err);
        const wait = backoffMs(attempt);
        if (idempotent && this.mayRetry(attempt, deadline, wait)) {
          await sleep(wait);
          continue;
        }
        throw new ProviderError(this.provider, req.operation, 'PROVIDER_UNAVAILABLE', `${this.provider} broke off its answer (${req.operation})`, {
          cause: err,
        });
      }
      ended?.(res.status);
      if (res.status === 429) {
        const wait = retryAfterSeconds(res.headers);
        if (wait !== null && wait <= this.maxRetryAfterSeconds && this.mayRetry(attempt, deadline, wait * 1000)) {
          await sleep(wait * 1000);
          continue;
        }
      }
      if (res.status >= 500 && idempotent) {
        const wait = backoffMs(attempt);
        if (this.mayRetry(attempt, deadline, wait)) {
          await sleep(wait);
          continue;
        }
      }
      return { status: res.status, headers: res.headers, text };
    }
  }
}

/** Backoff before retry `attempt + 1`, in ms: 100, 300, 900 … with equal jitter (half fixed, half random). */
function backoffMs(attempt: number): number {
  const base = 100 * 3 ** attempt;
  return Math.floor(base / 2 + Math.random() * (base / 2));
}

/** The least time worth giving a retry, in ms: a quarter of the deadline, at most 1 s. */
function minAttemptMs(timeoutMs: number): number {
  return Math.min(1_000, Math.floor(timeoutMs / 4));
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
