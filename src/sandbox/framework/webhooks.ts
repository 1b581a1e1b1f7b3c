import type { Clock } from './clock.js';
import type { Stats } from './stats.js';

/** One webhook delivery (README §8). `body` is sent byte for byte as given. */
export interface WebhookJob {
  /** Deliveries of one subscription go one at a time, in order. */
  subscriptionId: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Delays (seconds, emulator clock) before each retry after a failure; [] = no retries. */
  retryDelaysSeconds: number[];
}

interface PendingRetry {
  dueAt: number;
  job: WebhookJob;
  attempt: number;
}

/**
 * Sends webhooks with per-subscription ordering, a timeout, no redirects, and retries scheduled on
 * the emulator clock (run by `runDue`).
 */
export class WebhookDispatcher {
  private chains = new Map<string, Promise<unknown>>();
  private retries: PendingRetry[] = [];
  private controllers = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly stats: Stats,
    private readonly timeoutMs: number,
  ) {}

  /** Queues the first attempt; resolves with whether it was answered with a 2xx. */
  deliver(job: WebhookJob): Promise<boolean> {
    return this.enqueue(job, 0);
  }

  private enqueue(job: WebhookJob, attempt: number): Promise<boolean> {
    const previous = this.chains.get(job.subscriptionId) ?? Promise.resolve();
    const run = previous.then(() => this.attempt(job, attempt));
    const tail = run.catch(() => undefined);
    this.chains.set(job.subscriptionId, tail);
    void tail.then(() => {
      if (this.chains.get(job.subscriptionId) === tail) this.chains.delete(job.subscriptionId);
    });
    return run;
  }

  private async attempt(job: WebhookJob, attempt: number): Promise<boolean> {
    if (this.closed) return false;
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let ok = false;
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        headers: job.headers,
        body: job.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    if (ok) this.stats.webhooksDelivered++;
    else if (attempt < job.retryDelaysSeconds.length && !this.closed) {
      this.retries.push({ dueAt: this.clock.now() + job.retryDelaysSeconds[attempt] * 1000, job, attempt: attempt + 1 });
    }
    return ok;
  }

  /** Runs every retry due at or before `nowMs`, in time order, and waits for them. */
  async runDue(nowMs: number): Promise<void> {
    for (;;) {
      const due = this.retries.filter((r) => r.dueAt <= nowMs).sort((a, b) => a.dueAt - b.dueAt);
      if (due.length === 0) return;
      this.retries = this.retries.filter((r) => !due.includes(r));
      for (const r of due) await this.enqueue(r.job, r.attempt);
    }
  }

  /** Drops pending retries (reset). */
  clear(): void {
    this.retries = [];
  }

  /** Cancels everything in flight (close). */
  close(): void {
    this.closed = true;
    this.retries = [];
    for (const c of this.controllers) c.abort();
  }
}
