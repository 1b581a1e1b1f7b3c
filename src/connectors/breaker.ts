/**
 * A circuit breaker for one connection's platform calls (in process). CLOSED: calls go out and
 * failures in a row are counted; `failureThreshold` of them within `windowMs` open it. OPEN: calls
 * are refused at once, without reaching the platform, until `cooldownMs` has passed. Then the next
 * call goes out alone as a probe (HALF_OPEN) while later ones wait for its outcome: success closes
 * the circuit and lets them through, failure opens it for another cool-down.
 *
 * What counts as a failure is decided by `callOutcome` (a plain function): 5xx, timeouts, resets and
 * rate limits the client cannot wait out; never 4xx or a 401.
 */
export enum CircuitState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}

export interface BreakerOptions {
  /** Failed calls in a row that open the circuit (within `windowMs`). */
  failureThreshold: number;
  /** Failures further apart than this, in ms, do not add up: the count starts again. */
  windowMs: number;
  /** How long an open circuit refuses calls before it lets one probe through, in ms. */
  cooldownMs: number;
  /** The clock, in epoch ms (tests). */
  now?: () => number;
}

/** What a call's ending means for the breaker. */
export type CallOutcome = 'success' | 'failure' | 'neutral';

/**
 * Classifies one call's ending (STYLE: decisions apart from I/O). `status` is the HTTP status, or
 * null when no answer came (timeout, reset, refused connection); `retryAfterSeconds` is a 429's
 * Retry-After; `waitableSeconds` the longest Retry-After the client waits out by itself.
 * A 5xx, no answer, or a 429 without a Retry-After the client can wait out is a failure; any other
 * answer (2xx, 3xx, 4xx including 401 and a short 429) is a success: the platform is up.
 */
export function callOutcome(status: number | null, retryAfterSeconds: number | null, waitableSeconds: number): CallOutcome {
  if (status === null || status >= 500) return 'failure';
  if (status === 429 && (retryAfterSeconds === null || retryAfterSeconds > waitableSeconds)) return 'failure';
  return 'success';
}

/** What `admit` decided: the call goes out (as the probe or not), or is refused. */
export type Admission = { admitted: true; probe: boolean } | { admitted: false; retryAfterMs: number; reason: string };

export interface CircuitSnapshot {
  state: CircuitState;
  /** While OPEN: when the next call will be let through as a probe. */
  openUntil: Date | null;
  /** Failures in a row counted so far (CLOSED). */
  failures: number;
}

export class CircuitBreaker {
  private state: CircuitState = CircuitState.CLOSED;
  private failures = 0;
  private firstFailureAt = 0;
  private openUntil = 0;
  /** While HALF_OPEN: resolves with the probe's result (true = the platform answered). */
  private probe: { done: Promise<boolean>; settle: (ok: boolean) => void } | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The state as a client sees it: an OPEN circuit whose cool-down is over shows HALF_OPEN. */
  snapshot(): CircuitSnapshot {
    if (this.state === CircuitState.OPEN && this.now() >= this.openUntil) return { state: CircuitState.HALF_OPEN, openUntil: null, failures: this.failures };
    return {
      state: this.state,
      openUntil: this.state === CircuitState.OPEN ? new Date(this.openUntil) : null,
      failures: this.failures,
    };
  }

  /**
   * Decides whether a call may go out now. While a probe is out, waits for its outcome, at most
   * until `deadline` (epoch ms). A call admitted as the probe must end with `record(…, true)`.
   */
  async admit(deadline: number): Promise<Admission> {
    const now = this.now();
    if (this.state === CircuitState.CLOSED) return { admitted: true, probe: false };
    if (this.state === CircuitState.OPEN) {
      if (now < this.openUntil) return this.refusal(this.openUntil - now);
      this.state = CircuitState.HALF_OPEN;
      let settle!: (ok: boolean) => void;
      const done = new Promise<boolean>((r) => (settle = r));
      this.probe = { done, settle };
      return { admitted: true, probe: true };
    }
    // HALF_OPEN: one probe is out; wait for it rather than sending a second call to a platform that may still be down.
    const probe = this.probe;
    if (!probe) return { admitted: true, probe: false };
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([probe.done, new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.max(0, deadline - now))))]);
    clearTimeout(timer);
    if (ok === null) return this.refusal(0, 'a probe call is still testing whether it recovered');
    return ok ? { admitted: true, probe: false } : this.refusal(this.openUntil - this.now());
  }

  /**
   * Records how an admitted call ended; `probe` as `admit` said. Only the probe decides while the
   * circuit is not CLOSED (a call that went out before it opened says nothing new).
   */
  record(outcome: CallOutcome, probe: boolean): void {
    const now = this.now();
    if (probe) {
      if (outcome === 'success') this.close();
      // A neutral end (our own queue was full) proves nothing: the next call probes again.
      else this.reopen(now, outcome === 'failure' ? this.opts.cooldownMs : 0);
      return;
    }
    if (this.state !== CircuitState.CLOSED || outcome === 'neutral') return;
    if (outcome === 'success') {
      this.failures = 0;
      return;
    }
    if (this.failures === 0 || now - this.firstFailureAt > this.opts.windowMs) {
      this.failures = 0;
      this.firstFailureAt = now;
    }
    this.failures++;
    if (this.failures >= this.opts.failureThreshold) this.reopen(now, this.opts.cooldownMs);
  }

  private close(): void {
    this.state = CircuitState.CLOSED;
    this.failures = 0;
    this.probe?.settle(true);
    this.probe = null;
  }

  private reopen(now: number, cooldownMs: number): void {
    this.state = CircuitState.OPEN;
    this.openUntil = now + cooldownMs;
    this.probe?.settle(false);
    this.probe = null;
  }

  private refusal(retryAfterMs: number, reason?: string): Admission {
    return {
      admitted: false,
      retryAfterMs: Math.max(0, retryAfterMs),
      reason: reason ?? `calls paused after ${this.opts.failureThreshold} failures in a row, until ${new Date(this.openUntil).toISOString()} (circuit open)`,
    };
  }
}
