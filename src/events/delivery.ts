import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { GatewayError } from '../gateway/errors.js';
import type { Store } from '../store/store.js';
import type { BookingEventPayload } from './event.js';
import { checkTargetUrl, hostOf, lookup, nonPublicKind, RefusedAddressError, unwrapMappedIpv4 } from './target-url.js';

/**
 * Signed outbound deliveries of booking events to a subscription's `targetUrl`, queued in the store.
 *
 * Every delivery is a record in the store; each subscription has a queue in `seq` order. Per
 * subscription, one delivery is in flight at a time and a delivery waiting for a retry holds back
 * the later ones, until it is DELIVERED or FAILED (its retry window ran out). A record is DELIVERED
 * in the store before the next one starts, so a restart repeats none that succeeded; one whose
 * attempt was cut off by a crash (sent, answer not recorded) is sent again: at least once.
 *
 * Store keys (values JSON):
 * - `whdel:<deliveryId>`: the `DeliveryRecord`.
 * - `whq:<subscriptionId>`: the queue, `{ nextSeq, entries: [{ id, seq, status, eventId }] }` in
 *   `seq` order; the newest `keepDelivered` DELIVERED entries are kept, FAILED and PENDING always.
 * - `whdue`: `{ <subscriptionId>: epoch ms }`, the subscriptions with PENDING work and when their
 *   head is due; every instance's timer reads it, so work left by a stopped process is found.
 *
 * Leases (`Store.lease`, Redis keys `bookgraph:lease:<name>` when the store is Redis):
 * - `whq:<subscriptionId>`: held by the one instance working that queue, renewed before each step.
 *
 * Locks (`Store.withLock`, across processes on Redis and PostgreSQL): `whq-lock:<subscriptionId>` and
 * `whdue-lock` around changes to a queue and to `whdue`, so instances never lose each other's changes.
 *
 * Signatures follow Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the
 * delivery id, the same on every attempt and replay), `webhook-timestamp` (seconds, of this
 * attempt), `webhook-signature` (`v1,<base64 HMAC-SHA256>` per secret, space-separated).
 */

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface DeliveryRecord {
  /** The `webhook-id`: `msg_` + 22 random base64url characters. */
  id: string;
  subscriptionId: string;
  /** Position in the subscription's queue (1, 2, …): deliveries go out in this order. */
  seq: number;
  event: BookingEventPayload;
  /** The exact bytes sent (UTF-8), the same on every attempt. */
  body: string;
  status: DeliveryStatus;
  /** Attempts since it was queued or last replayed (a replay starts again at 0). */
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  /** Why the last attempt failed (`HTTP 500`, `timeout after 10000 ms`, `connection refused`, …). */
  lastError: string | null;
  /** When the next attempt is due (PENDING only). */
  nextAttemptAt: string | null;
  /** No attempt is scheduled after this: `createdAt` (or the replay) + `retryWindowMs`. */
  retryUntil: string;
}

export interface DeliveryOptions {
  /** How long a delivery is retried, from when it is queued or replayed (default 24 h). */
  retryWindowMs: number;
  /** The first retry's delay ceiling (default 5 s); it doubles per failed attempt. */
  baseDelayMs: number;
  /** The ceiling the doubling stops at (default 1 h). */
  maxDelayMs: number;
  /** One attempt, connect to last response byte (default 10 s). */
  timeoutMs: number;
  /** Sandbox mode: deliver to loopback, private and link-local addresses too. */
  allowPrivateTargets: boolean;
  /** How often the queues with due work are looked for (default 1 s). */
  tickMs: number;
  /** Subscriptions worked at once by this process (default 16). */
  concurrency?: number;
  /** DELIVERED records kept per subscription, newest first (default 1000). */
  keepDelivered?: number;
}

export const defaultDeliveryOptions: Required<DeliveryOptions> = {
  retryWindowMs: 86_400_000,
  baseDelayMs: 5_000,
  maxDelayMs: 3_600_000,
  timeoutMs: 10_000,
  allowPrivateTargets: false,
  tickMs: 1_000,
  concurrency: 16,
  keepDelivered: 1_000,
};

export const USER_AGENT = 'Bookgraph-Webhooks/1';
/** Response bytes read (and discarded) before the connection is dropped. */
const RESPONSE_CAP_BYTES = 64 * 1024;
/** How long a queue or index lock is held at most, and how long a caller waits for one. */
const LOCK_TTL_MS = 15_000;
const LOCK_WAIT_MS = 10_000;

interface QueueEntry {
  id: string;
  seq: number;
  status: DeliveryStatus;
  /** `BookingEventPayload.id`: one delivery per event and subscription. */
  eventId: string;
}

interface QueueState {
  nextSeq: number;
  entries: QueueEntry[];
}

const recordKey = (id: string) => `whdel:${id}`;
const queueKey = (subscriptionId: string) => `whq:${subscriptionId}`;
const DUE_KEY = 'whdue';
const workerLease = (subscriptionId: string) => `whq:${subscriptionId}`;
const queueLock = (subscriptionId: string) => `whq-lock:${subscriptionId}`;
const DUE_LOCK = 'whdue-lock';

const iso = (ms: number) => new Date(ms).toISOString();

// Decisions -------------------------------------------------------------------------------------------

/**
 * The wait before the next attempt after `failures` failed ones (≥ 1): equal jitter over
 * `min(maxDelayMs, baseDelayMs · 2^(failures−1))`, i.e. between half of that and all of it.
 */
export function retryDelayMs(failures: number, opts: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type AttemptOutcome = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

/**
 * The record after one attempt that started at `startedAt` and ended at `endedAt` (epoch ms): a
 * 2xx is DELIVERED; a failure is retried after `retryDelayMs`, or FAILED when that would fall
 * after `retryUntil`.
 */
export function afterAttempt(
  record: DeliveryRecord,
  outcome: AttemptOutcome,
  times: { startedAt: number; endedAt: number },
  opts: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): DeliveryRecord {
  const attempts = record.attempts + 1;
  const tried = { ...record, attempts, lastAttemptAt: iso(times.startedAt), lastStatusCode: outcome.statusCode };
  if (outcome.ok) return { ...tried, status: 'DELIVERED', lastError: null, nextAttemptAt: null };
  const next = times.endedAt + retryDelayMs(attempts, opts, random);
  if (next > Date.parse(record.retryUntil)) return { ...tried, status: 'FAILED', lastError: outcome.error, nextAttemptAt: null };
  return { ...tried, status: 'PENDING', lastError: outcome.error, nextAttemptAt: iso(next) };
}

/**
 * The Standard Webhooks headers of one attempt at `at` (epoch ms), signed with every secret
 * (`whsec_` + base64; the current one first, during a rotation the previous one too).
 */
export function signedHeaders(id: string, body: string, secrets: readonly string[], at: number): Record<string, string> {
  const seconds = Math.floor(at / 1000);
  const timestamp = new Date(seconds * 1000);
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(' '),
  };
}

/** A short reason for a failed request (`lastError`). */
export function failureReason(err: unknown): string {
  if (err instanceof RefusedAddressError) return err.message;
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `DNS lookup failed (${e.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  if (e?.code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO/.test(e.code)) return `TLS: ${e.code}`;
  const text = `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

// I/O ------------------------------------------------------------------------------------------------

/**
 * One POST of `body` to `url`: no redirects followed (a 3xx is a failure), the response body read
 * and discarded up to 64 KiB, `timeoutMs` for the whole attempt. With `checkAddresses`, the host
 * is resolved through the refusing `lookup` (an IP literal is checked here), so a name that now
 * resolves to a non-public address is not connected to.
 */
export function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; checkAddresses: boolean; agent?: HttpAgent },
): Promise<AttemptOutcome> {
  const host = hostOf(url);
  if (opts.checkAddresses && isIP(host) && nonPublicKind(host)) {
    return Promise.resolve({ ok: false, statusCode: null, error: `refused address ${unwrapMappedIpv4(host)}` });
  }
  return new Promise((resolve) => {
    let statusCode: number | null = null;
    let settled = false;
    const outcome = (code: number): AttemptOutcome =>
      code >= 200 && code < 300 ? { ok: true, statusCode: code } : { ok: false, statusCode: code, error: `HTTP ${code}` };
    const finish = (result: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: opts.agent,
        ...(opts.checkAddresses ? { lookup } : {}),
      },
      (res: IncomingMessage) => {
        const code = res.statusCode ?? 0;
        statusCode = code;
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > RESPONSE_CAP_BYTES) {
            res.destroy();
            finish(outcome(code));
          }
        });
        res.on('end', () => finish(outcome(code)));
        res.on('close', () => finish(outcome(code)));
        res.on('error', () => finish(outcome(code)));
      },
    );
    // The target has answered once its status line is in: a slow body does not undo that.
    const timer = setTimeout(() => {
      finish(statusCode !== null ? outcome(statusCode) : { ok: false, statusCode: null, error: `timeout after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err) => finish(statusCode !== null ? outcome(statusCode) : { ok: false, statusCode: null, error: failureReason(err) }));
    req.end(body);
  });
}

// The queue ------------------------------------------------------------------------------------------

export interface DeliveryTarget {
  url: string;
  /** Signing secrets, current first (`whsec_` + base64). */
  secrets: string[];
}

/** The outbound delivery queues of every subscription with a target URL (see the module comment). */
export class DeliveryQueue {
  private readonly options: Required<DeliveryOptions>;
  private readonly now: () => number;
  /** This process's lease owner value. */
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  /** Subscriptions worked here now. */
  private readonly running = new Map<string, Promise<void>>();
  /** Subscriptions kicked while their worker ran (it runs again when it ends). */
  private readonly kicked = new Set<string>();
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private started = false;
  private closed = false;

  constructor(
    private readonly deps: {
      store: Store;
      log: Logger;
      options: Partial<DeliveryOptions>;
      /** The subscription's target and signing secrets, or null when it is gone (its queue is dropped). */
      target(subscriptionId: string): Promise<DeliveryTarget | null>;
      now?: () => number;
      /** Told how each attempt ended (metrics): DELIVERED, PENDING (will retry) or FAILED for good. Must not throw. */
      onAttempt?: (status: DeliveryStatus) => void;
    },
  ) {
    this.options = { ...defaultDeliveryOptions, ...deps.options };
    this.now = deps.now ?? Date.now;
  }

  /** A worker's lease outlives one attempt and the store writes around it. */
  private get leaseMs(): number {
    return this.options.timeoutMs + 30_000;
  }

  /**
   * Starts working: a timer every `tickMs` starts the worker of each queue whose head is due (also
   * those a stopped process left PENDING). Nothing is sent before `start`.
   */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
    void this.tick();
  }

  /**
   * Queues `body` for the subscription's target (stored before this answers) and kicks its worker.
   * One delivery per (subscription, `event.id`): queuing an event again answers the record it has.
   */
  async enqueue(subscriptionId: string, event: BookingEventPayload, body: string): Promise<DeliveryRecord> {
    const at = this.now();
    const record = await this.locked(queueLock(subscriptionId), async () => {
      const queue = (await this.deps.store.get<QueueState>(queueKey(subscriptionId))) ?? { nextSeq: 1, entries: [] };
      const same = queue.entries.find((e) => e.eventId === event.id);
      const existing = same && (await this.deps.store.get<DeliveryRecord>(recordKey(same.id)));
      if (existing) return existing;
      const created: DeliveryRecord = {
        id: `msg_${randomBytes(16).toString('base64url')}`,
        subscriptionId,
        seq: queue.nextSeq,
        event,
        body,
        status: 'PENDING',
        attempts: 0,
        createdAt: iso(at),
        lastAttemptAt: null,
        lastStatusCode: null,
        lastError: null,
        nextAttemptAt: iso(at),
        retryUntil: iso(at + this.options.retryWindowMs),
      };
      await this.deps.store.set(recordKey(created.id), created);
      queue.entries.push({ id: created.id, seq: created.seq, status: 'PENDING', eventId: event.id });
      await this.deps.store.set(queueKey(subscriptionId), { nextSeq: queue.nextSeq + 1, entries: queue.entries } satisfies QueueState);
      // A queue already in the index keeps its due time: a head waiting for a retry holds this back.
      await this.setDue(subscriptionId, at, { onlyIfAbsent: true });
      return created;
    });
    this.kick(subscriptionId);
    return record;
  }

  /** The subscription's deliveries, newest first; `after` is the last delivery id of the previous page. */
  async list(
    subscriptionId: string,
    opts: { first: number; after?: string | null; status?: DeliveryStatus | null },
  ): Promise<{ items: DeliveryRecord[]; hasNextPage: boolean }> {
    const queue = await this.deps.store.get<QueueState>(queueKey(subscriptionId));
    if (!queue) return { items: [], hasNextPage: false };
    let entries = [...queue.entries].reverse();
    if (opts.after) {
      // By position (seq), not by index in the filtered list: the cursor's status may have changed since.
      const cursor = queue.entries.find((e) => e.id === opts.after);
      entries = cursor ? entries.filter((e) => e.seq < cursor.seq) : [];
    }
    if (opts.status) entries = entries.filter((e) => e.status === opts.status);
    const first = Math.max(0, Math.floor(opts.first));
    const records = await Promise.all(entries.slice(0, first).map((e) => this.deps.store.get<DeliveryRecord>(recordKey(e.id))));
    return { items: records.filter((r): r is DeliveryRecord => r !== undefined), hasNextPage: entries.length > first };
  }

  /**
   * Puts FAILED deliveries (all of the subscription's, or those of `ids`) back in the queue: PENDING,
   * due now, same id and body, `attempts` back to 0 and a fresh retry window. Answers how many.
   * They go out in `seq` order, before later deliveries still PENDING.
   */
  async replay(subscriptionId: string, ids?: readonly string[] | null): Promise<number> {
    const at = this.now();
    const wanted = ids ? new Set(ids) : null;
    const count = await this.locked(queueLock(subscriptionId), async () => {
      const queue = await this.deps.store.get<QueueState>(queueKey(subscriptionId));
      if (!queue) return 0;
      const replayed: DeliveryRecord[] = [];
      for (const entry of queue.entries) {
        if (entry.status !== 'FAILED' || (wanted && !wanted.has(entry.id))) continue;
        const record = await this.deps.store.get<DeliveryRecord>(recordKey(entry.id));
        if (record?.status !== 'FAILED') continue;
        entry.status = 'PENDING';
        replayed.push({ ...record, status: 'PENDING', attempts: 0, nextAttemptAt: iso(at), retryUntil: iso(at + this.options.retryWindowMs) });
      }
      if (replayed.length === 0) return 0;
      // The queue first: a crash before the records are written leaves entries PENDING over FAILED
      // records, which the worker turns back to FAILED (never a PENDING record nobody works).
      await this.deps.store.set(queueKey(subscriptionId), queue);
      for (const record of replayed) await this.deps.store.set(recordKey(record.id), record);
      await this.setDue(subscriptionId, at);
      return replayed.length;
    });
    if (count > 0) {
      this.deps.log.info({ subscriptionId, count }, 'webhook deliveries replayed');
      this.kick(subscriptionId);
    }
    return count;
  }

  /** Drops the subscription's queue (unsubscribe): no attempt starts after this, records deleted. */
  async remove(subscriptionId: string): Promise<void> {
    await this.locked(queueLock(subscriptionId), async () => {
      const queue = await this.deps.store.get<QueueState>(queueKey(subscriptionId));
      await this.deps.store.delete(queueKey(subscriptionId));
      await this.setDue(subscriptionId, null);
      for (const entry of queue?.entries ?? []) await this.deps.store.delete(recordKey(entry.id));
    });
  }

  /** Stops the timer and waits for the attempts in flight (at most `timeoutMs`) to be recorded. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  // Workers ------------------------------------------------------------------------------------------

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      const due = (await this.deps.store.get<Record<string, number>>(DUE_KEY)) ?? {};
      const now = this.now();
      for (const [subscriptionId] of Object.entries(due)
        .filter(([, at]) => at <= now)
        .sort((a, b) => a[1] - b[1])) {
        if (this.running.size >= this.options.concurrency) break;
        if (!this.running.has(subscriptionId)) this.kick(subscriptionId);
      }
    } catch (err) {
      this.deps.log.warn({ err }, 'webhook delivery: reading the due queues failed');
    } finally {
      this.ticking = false;
    }
  }

  /** Starts the subscription's worker here unless it runs or every slot is busy (then the timer will). */
  private kick(subscriptionId: string): void {
    if (!this.started || this.closed) return;
    if (this.running.has(subscriptionId)) {
      this.kicked.add(subscriptionId);
      return;
    }
    if (this.running.size >= this.options.concurrency) return;
    const run = this.work(subscriptionId).finally(() => {
      this.running.delete(subscriptionId);
      if (this.kicked.delete(subscriptionId)) this.kick(subscriptionId);
    });
    this.running.set(subscriptionId, run);
  }

  /** Works the queue while this process holds its lease and its head is due. */
  private async work(subscriptionId: string): Promise<void> {
    const lease = workerLease(subscriptionId);
    try {
      if (!(await this.deps.store.lease(lease, this.owner, this.leaseMs))) return;
      try {
        while (!this.closed && (await this.step(subscriptionId)) === 'again') {
          if (!(await this.deps.store.lease(lease, this.owner, this.leaseMs))) return;
        }
      } finally {
        await this.deps.store.releaseLease(lease, this.owner).catch(() => false);
      }
    } catch (err) {
      this.deps.log.warn({ err, subscriptionId }, 'webhook delivery: queue step failed (the timer retries it)');
    }
  }

  /** One step of a queue: an attempt at its head when due. 'again' when the next head may be due now. */
  private async step(subscriptionId: string): Promise<'again' | 'idle'> {
    const { store } = this.deps;
    const queue = await store.get<QueueState>(queueKey(subscriptionId));
    const head = queue?.entries.find((e) => e.status === 'PENDING');
    if (!head) {
      return this.locked(queueLock(subscriptionId), async () => {
        const current = await store.get<QueueState>(queueKey(subscriptionId));
        if (current?.entries.some((e) => e.status === 'PENDING')) return 'again';
        await this.setDue(subscriptionId, null);
        return 'idle';
      });
    }
    const record = await store.get<DeliveryRecord>(recordKey(head.id));
    if (record?.status !== 'PENDING') {
      // The record settled (or went) before its entry did (a crash between the two writes), or a
      // replay is under way: the entry follows the record as read under the lock.
      await this.locked(queueLock(subscriptionId), async () => {
        const current = await store.get<QueueState>(queueKey(subscriptionId));
        if (current) await this.settleEntry(subscriptionId, head.id, (await store.get<DeliveryRecord>(recordKey(head.id))) ?? null, current);
      });
      return 'again';
    }
    const dueAt = record.nextAttemptAt ? Date.parse(record.nextAttemptAt) : 0;
    if (dueAt > this.now()) {
      // Waiting for a retry: the index gets its due time unless the head changed meanwhile (a replay
      // put an older delivery in front), so the timer, here or elsewhere, resumes it then.
      return this.locked(queueLock(subscriptionId), async () => {
        const current = await store.get<QueueState>(queueKey(subscriptionId));
        if (current?.entries.find((e) => e.status === 'PENDING')?.id !== head.id) return 'again';
        await this.setDue(subscriptionId, dueAt);
        return 'idle';
      });
    }
    const target = await this.deps.target(subscriptionId);
    if (!target) {
      this.deps.log.info({ subscriptionId }, 'webhook delivery: subscription gone, queue dropped');
      await this.remove(subscriptionId);
      return 'idle';
    }
    const startedAt = this.now();
    const outcome = await this.attempt(record, target, startedAt);
    const next = afterAttempt(record, outcome, { startedAt, endedAt: this.now() }, this.options);
    const kept = await this.locked(queueLock(subscriptionId), async () => {
      const current = await store.get<QueueState>(queueKey(subscriptionId));
      if (!current?.entries.some((e) => e.id === record.id)) return false; // removed meanwhile
      await store.set(recordKey(record.id), next);
      // A retry's due time goes to the index in the next step, which sees the head as it is then.
      if (next.status !== 'PENDING') await this.settleEntry(subscriptionId, record.id, next, current);
      return true;
    });
    const fields = { subscriptionId, deliveryId: record.id, eventId: record.event.id, attempts: next.attempts, statusCode: next.lastStatusCode };
    if (kept) this.deps.onAttempt?.(next.status);
    if (!kept) this.deps.log.info(fields, 'webhook delivery: queue removed during the attempt');
    else if (next.status === 'DELIVERED') this.deps.log.info(fields, 'webhook delivered');
    else if (next.status === 'FAILED') this.deps.log.warn({ ...fields, lastError: next.lastError }, 'webhook delivery failed for good (replayable)');
    else this.deps.log.info({ ...fields, lastError: next.lastError, nextAttemptAt: next.nextAttemptAt }, 'webhook delivery attempt failed, will retry');
    return kept ? 'again' : 'idle';
  }

  private async attempt(record: DeliveryRecord, target: DeliveryTarget, at: number): Promise<AttemptOutcome> {
    let url: URL;
    try {
      // Syntax here; addresses at connection time (`post`), so each attempt resolves the name once.
      url = await checkTargetUrl(target.url, { allowPrivate: true });
    } catch (err) {
      return { ok: false, statusCode: null, error: err instanceof GatewayError ? err.message : failureReason(err) };
    }
    if (target.secrets.length === 0) return { ok: false, statusCode: null, error: 'no signing secret' };
    let headers: Record<string, string>;
    try {
      headers = signedHeaders(record.id, record.body, target.secrets, at);
    } catch (err) {
      return { ok: false, statusCode: null, error: `signing failed: ${(err as Error).message}` };
    }
    return post(url, headers, record.body, {
      timeoutMs: this.options.timeoutMs,
      checkAddresses: !this.options.allowPrivateTargets,
      agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
    });
  }

  // Store helpers (callers hold the queue's lock) -----------------------------------------------------

  /** Makes the entry follow its record (or drops it when the record is gone) and trims history. */
  private async settleEntry(subscriptionId: string, id: string, record: DeliveryRecord | null, queue: QueueState): Promise<void> {
    const entries = record ? queue.entries.map((e) => (e.id === id ? { ...e, status: record.status } : e)) : queue.entries.filter((e) => e.id !== id);
    const delivered = entries.filter((e) => e.status === 'DELIVERED');
    const dropped = new Set(delivered.slice(0, Math.max(0, delivered.length - this.options.keepDelivered)).map((e) => e.id));
    await this.deps.store.set(queueKey(subscriptionId), { nextSeq: queue.nextSeq, entries: entries.filter((e) => !dropped.has(e.id)) } satisfies QueueState);
    for (const old of dropped) await this.deps.store.delete(recordKey(old));
  }

  /** Sets (or with null removes) the subscription's due time in the index. */
  private async setDue(subscriptionId: string, at: number | null, opts: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    // Every change to one subscription's due time runs under that queue's lock, so an unlocked read
    // that already shows the wanted state stays true while the caller holds it.
    const seen = (await this.deps.store.get<Record<string, number>>(DUE_KEY)) ?? {};
    if (at === null ? !(subscriptionId in seen) : opts.onlyIfAbsent ? subscriptionId in seen : seen[subscriptionId] === at) return;
    await this.locked(DUE_LOCK, async () => {
      const due = (await this.deps.store.get<Record<string, number>>(DUE_KEY)) ?? {};
      if (at === null) delete due[subscriptionId];
      else if (!(opts.onlyIfAbsent && subscriptionId in due)) due[subscriptionId] = at;
      await this.deps.store.set(DUE_KEY, due);
    });
  }

  /** Runs `fn` under the named lock: in this process and, on Redis or PostgreSQL, across processes (`Store.withLock`). */
  private locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.store.withLock(name, fn, { ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS });
  }
}
