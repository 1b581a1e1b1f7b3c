import type { EmulatorContext, EmuRequest, EmuResponse, Handler } from '../framework/types.js';
import type { Envelope } from './http.js';

/**
 * Documented rate limits (§5): a 60-second sliding window, 1000 requests per access token or API
 * key, 60 per client IP for `/api/v1` calls without a valid credential. Every limited answer carries
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds); a 429 adds
 * `Retry-After` (seconds). Rejected requests do not use up the window.
 */

export const WINDOW_MS = 60_000;
export const CREDENTIAL_LIMIT = 1_000;
export const ANONYMOUS_LIMIT = 60;

export class RateLimiter {
  private windows = new Map<string, number[]>();
  private pending = new WeakMap<EmuRequest, Record<string, string>>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly env: Envelope,
    /** True when the bearer credential is live (it then has its own window). */
    private readonly isLive: (credential: string) => boolean,
  ) {}

  /** The framework's `rateLimit` hook: a 429 answer, or null (headers are then added by `withHeaders`). */
  check(req: EmuRequest): EmuResponse | null {
    if (!this.ctx.options.rateLimits || !req.path.startsWith('/api/v1/')) return null;
    const credential = req.bearer();
    const live = credential !== null && this.isLive(credential);
    // The emulator only listens on 127.0.0.1, so every anonymous caller shares the loopback IP.
    const key = live ? `credential:${credential}` : 'ip:127.0.0.1';
    const limit = live ? CREDENTIAL_LIMIT : ANONYMOUS_LIMIT;
    const now = this.ctx.clock.now();
    const hits = (this.windows.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    this.windows.set(key, hits);
    if (hits.length >= limit) {
      const retryMs = hits[0] + WINDOW_MS - now;
      return this.env.error(429, `Rate limit of ${limit} requests per minute exceeded`, {
        headers: { ...this.headers(limit, 0, hits[0] + WINDOW_MS), 'retry-after': String(Math.max(1, Math.ceil(retryMs / 1000))) },
      });
    }
    hits.push(now);
    this.pending.set(req, this.headers(limit, limit - hits.length, hits[0] + WINDOW_MS));
    return null;
  }

  private headers(limit: number, remaining: number, resetMs: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    };
  }

  /** Wraps an API handler so its answer carries the headers computed by `check` for the same request. */
  withHeaders(handler: Handler): Handler {
    return async (req) => {
      const out = await handler(req);
      const extra = this.pending.get(req);
      if (extra) out.headers = { ...extra, ...out.headers };
      return out;
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
