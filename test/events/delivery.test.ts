import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createClient } from 'redis';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { BookingEventType, BookingStatus } from '../../src/connectors/enums.js';
import { afterAttempt, DeliveryQueue, retryDelayMs, type DeliveryOptions, type DeliveryRecord } from '../../src/events/delivery.js';
import type { BookingEventPayload } from '../../src/events/event.js';
import { openStore, type Store } from '../../src/store/store.js';

// DB 13, not 14: vitest runs test files in parallel and test/store/lease.test.ts flushes DB 14.
const REDIS_URL = 'redis://127.0.0.1:6379/13';
const redisRuns = process.env.BOOKGRAPH_TEST_REDIS !== '0';
const log = pino({ level: 'silent' });
const fast: DeliveryOptions = { retryWindowMs: 10_000, baseDelayMs: 20, maxDelayMs: 80, timeoutMs: 1_000, allowPrivateTargets: true, tickMs: 10 };

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

function eventOf(n: number, connectionId = 'conn-1'): BookingEventPayload {
  const ref = `bk-${n}-${randomBytes(3).toString('hex')}`;
  return {
    id: `evt_${ref}`,
    type: BookingEventType.BOOKING_CREATED,
    provider: 'DAYSCHEDULE' as BookingEventPayload['provider'],
    tenantId: 'tenant-1',
    connectionId,
    occurredAt: new Date().toISOString(),
    booking: {
      id: `Booking:${ref}`,
      provider: 'DAYSCHEDULE' as BookingEventPayload['provider'],
      connectionId,
      ref,
      nativeId: ref,
      organizationRef: 'org-1',
      status: BookingStatus.CONFIRMED,
      startsAt: '2030-01-01T10:00:00.000Z',
      endsAt: '2030-01-01T10:30:00.000Z',
      timezone: 'Europe/Berlin',
      serviceRef: null,
      customerRef: null,
      createdAt: null,
      updatedAt: null,
      raw: { note: 'ü €' },
    },
  };
}
const bodyOf = (e: BookingEventPayload) => JSON.stringify({ type: e.type, timestamp: e.occurredAt, data: e });

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  eventId: string;
  status: number;
}

/** A webhook receiver on 127.0.0.1: `answer(n)` (n = 1, 2, … per request) picks the status. */
async function receiver(answer: (n: number, body: string) => number | Promise<number> = () => 200, port = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = await answer(received.length + 1, body);
      received.push({ headers: req.headers, body, eventId: JSON.parse(body).data.id, status });
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {}).end('thanks');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  cleanups.push(close);
  return { received, url, port: (server.address() as AddressInfo).port, close };
}

const headersOf = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
const delivered = (received: Received[]) => received.filter((r) => r.status >= 200 && r.status < 300);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > giveUp) throw new Error(`timed out; last value ${JSON.stringify(v)?.slice(0, 500)}`);
    await sleep(10);
  }
}

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

/** A started queue whose subscriptions' targets live in `targets`. */
function queueOn(store: Store, targets: Map<string, { url: string; secrets: string[] }>, options: Partial<DeliveryOptions> = {}) {
  const queue = new DeliveryQueue({ store, log, options: { ...fast, ...options }, target: async (id) => targets.get(id) ?? null });
  queue.start();
  cleanups.push(() => queue.close());
  return queue;
}

async function memoryStore() {
  const store = await openStore('memory://');
  cleanups.push(() => store.close());
  return store;
}

const recordOf = (store: Store, id: string) => store.get<DeliveryRecord>(`whdel:${id}`);

describe('DeliveryQueue', () => {
  it('retries 500, 500, 500 and delivers on the 4th attempt with the same webhook-id, every attempt signed', async () => {
    const target = await receiver((n) => (n <= 3 ? 500 : 200));
    const key = secret();
    const store = await memoryStore();
    const queue = queueOn(store, new Map([['sub-1', { url: target.url, secrets: [key] }]]));
    const event = eventOf(1);
    const body = bodyOf(event);
    const queued = await queue.enqueue('sub-1', event, body);
    expect(queued).toMatchObject({ status: 'PENDING', attempts: 0, seq: 1, subscriptionId: 'sub-1' });
    expect(queued.id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);

    const done = await until(
      () => recordOf(store, queued.id),
      (r) => r?.status === 'DELIVERED',
    );
    expect(target.received.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(done).toMatchObject({ attempts: 4, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    for (const r of target.received) {
      expect(r.headers['webhook-id']).toBe(queued.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe('Bookgraph-Webhooks/1');
      expect(r.body).toBe(body); // byte-exact, "ü €" included
      expect(new Webhook(key).verify(r.body, headersOf(r.headers))).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(secret()).verify(target.received[0].body, headersOf(target.received[0].headers))).toThrow();
    const page = await queue.list('sub-1', { first: 10 });
    expect(page.items.map((d) => d.id)).toEqual([queued.id]);
    expect(page.hasNextPage).toBe(false);
  });

  it('ends FAILED when the target stays down past the window; listed, and a replay delivers it once', async () => {
    const probe = await receiver();
    const port = probe.port;
    await probe.close(); // nothing listens there now: connection refused
    const store = await memoryStore();
    const targets = new Map([['sub-down', { url: `http://127.0.0.1:${port}/hook`, secrets: [secret()] }]]);
    const queue = queueOn(store, targets, { retryWindowMs: 200 });
    const queued = await queue.enqueue('sub-down', eventOf(1), bodyOf(eventOf(1)));

    const failed = (await until(
      () => recordOf(store, queued.id),
      (r) => r?.status === 'FAILED',
    ))!;
    expect(failed.attempts).toBeGreaterThanOrEqual(2);
    expect(failed).toMatchObject({ lastError: 'connection refused', lastStatusCode: null, nextAttemptAt: null });
    const listed = await queue.list('sub-down', { first: 10, status: 'FAILED' });
    expect(listed.items.map((d) => d.id)).toEqual([queued.id]);
    expect((await queue.list('sub-down', { first: 10, status: 'PENDING' })).items).toEqual([]);

    const up = await receiver(() => 200, port);
    expect(await queue.replay('sub-down', ['msg_unknown'])).toBe(0);
    expect(await queue.replay('sub-down', [queued.id])).toBe(1);
    const again = await until(
      () => recordOf(store, queued.id),
      (r) => r?.status === 'DELIVERED',
    );
    expect(again).toMatchObject({ attempts: 1, lastStatusCode: 200, lastError: null });
    await sleep(100);
    expect(up.received).toHaveLength(1);
    expect(up.received[0].headers['webhook-id']).toBe(queued.id);
    expect(await queue.replay('sub-down')).toBe(0);
    expect((await queue.list('sub-down', { first: 10, status: 'FAILED' })).items).toEqual([]);
  });

  it('keeps event order per subscription while the first delivery needs retries', async () => {
    let firstBody: string | null = null;
    const target = await receiver((n, body) => {
      firstBody ??= body;
      return body === firstBody && n <= 2 ? 500 : 200;
    });
    const store = await memoryStore();
    const queue = queueOn(store, new Map([['sub-order', { url: target.url, secrets: [secret()] }]]));
    const events = Array.from({ length: 5 }, (_, i) => eventOf(i + 1));
    const records = [];
    for (const e of events) records.push(await queue.enqueue('sub-order', e, bodyOf(e)));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);

    await until(
      () => delivered(target.received).length,
      (n) => n === 5,
    );
    const [first, ...rest] = events.map((e) => e.id);
    expect(target.received.map((r) => r.eventId)).toEqual([first, first, first, ...rest]);
    const page1 = await queue.list('sub-order', { first: 2 });
    expect(page1.items.map((d) => d.seq)).toEqual([5, 4]);
    expect(page1.hasNextPage).toBe(true);
    const page2 = await queue.list('sub-order', { first: 10, after: page1.items[1].id });
    expect(page2.items.map((d) => d.seq)).toEqual([3, 2, 1]);
    expect(page2.hasNextPage).toBe(false);
  });

  it('queues an event once per subscription', async () => {
    const target = await receiver();
    const store = await memoryStore();
    const queue = queueOn(store, new Map([['sub-dup', { url: target.url, secrets: [secret()] }]]));
    const event = eventOf(1);
    const [a, b] = await Promise.all([queue.enqueue('sub-dup', event, bodyOf(event)), queue.enqueue('sub-dup', event, bodyOf(event))]);
    expect(a.id).toBe(b.id);
    await until(
      () => recordOf(store, a.id),
      (r) => r?.status === 'DELIVERED',
    );
    await sleep(50);
    expect(target.received).toHaveLength(1);
  });

  it('survives a restart on the file store: every delivery once, none lost', async () => {
    const target = await receiver(async () => {
      await sleep(30);
      return 200;
    });
    const path = join(mkdtempSync(join(tmpdir(), 'bg-delivery-')), 'store.json');
    const targets = new Map([['sub-restart', { url: target.url, secrets: [secret()] }]]);
    const events = Array.from({ length: 6 }, (_, i) => eventOf(i + 1));

    const first = await openStore(`file://${path}`);
    const before = new DeliveryQueue({ store: first, log, options: fast, target: async (id) => targets.get(id) ?? null });
    before.start();
    for (const e of events) await before.enqueue('sub-restart', e, bodyOf(e));
    await until(
      () => target.received.length,
      (n) => n >= 2,
    );
    await before.close();
    await first.close();

    const second = await openStore(`file://${path}`);
    cleanups.push(() => second.close());
    const pending = await new DeliveryQueue({ store: second, log, options: fast, target: async () => null }).list('sub-restart', {
      first: 10,
      status: 'PENDING',
    });
    expect(pending.items.length).toBeGreaterThan(0); // the restart really happened mid-queue
    queueOn(second, targets);
    await until(
      () => target.received.length,
      (n) => n >= 6,
    );
    await sleep(150);
    expect(target.received.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    const all = await new DeliveryQueue({ store: second, log, options: fast, target: async () => null }).list('sub-restart', { first: 10 });
    expect(all.items.map((d) => d.status)).toEqual(Array(6).fill('DELIVERED'));
  });

  it.runIf(redisRuns)('two queues on one Redis store deliver each event once', async () => {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    await client.flushDb();
    await client.quit();
    const target = await receiver(async () => {
      await sleep(5);
      return 200;
    });
    const [storeA, storeB] = [await openStore(REDIS_URL), await openStore(REDIS_URL)];
    cleanups.push(
      () => storeA.close(),
      () => storeB.close(),
    );
    const subs = ['sub-a', 'sub-b', 'sub-c'];
    const targets = new Map(subs.map((s) => [s, { url: `${target.url}?sub=${s}`, secrets: [secret()] }]));
    const [a, b] = [queueOn(storeA, targets), queueOn(storeB, targets)];
    const events = subs.flatMap((sub) => Array.from({ length: 5 }, (_, i) => ({ sub, event: eventOf(i + 1, sub) })));
    // Each event is handed to both instances at once (as if both had heard it).
    await Promise.all(events.flatMap(({ sub, event }) => [a.enqueue(sub, event, bodyOf(event)), b.enqueue(sub, event, bodyOf(event))]));

    await until(
      () => target.received.length,
      (n) => n >= events.length,
    );
    await sleep(200);
    expect(target.received).toHaveLength(events.length);
    expect(new Set(target.received.map((r) => r.headers['webhook-id'])).size).toBe(events.length);
    for (const sub of subs) {
      const mine = events.filter((e) => e.sub === sub).map((e) => e.event.id);
      expect(target.received.filter((r) => mine.includes(r.eventId)).map((r) => r.eventId)).toEqual(mine);
      const listed = await b.list(sub, { first: 10 });
      expect(listed.items.map((d) => d.status)).toEqual(Array(5).fill('DELIVERED'));
    }
  });

  it('signs with both secrets during a rotation: either one verifies', async () => {
    const target = await receiver();
    const [current, previous] = [secret(), secret()];
    const store = await memoryStore();
    const queue = queueOn(store, new Map([['sub-rot', { url: target.url, secrets: [current, previous] }]]));
    await queue.enqueue('sub-rot', eventOf(1), bodyOf(eventOf(1)));
    await until(
      () => target.received.length,
      (n) => n === 1,
    );
    const [r] = target.received;
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(r.body, headersOf(r.headers))).toBeTruthy();
    expect(new Webhook(previous).verify(r.body, headersOf(r.headers))).toBeTruthy();
    expect(() => new Webhook(secret()).verify(r.body, headersOf(r.headers))).toThrow();
  });

  it('refuses a private target when allowPrivateTargets is false, at the literal and at the name', async () => {
    const target = await receiver();
    const store = await memoryStore();
    const port = new URL(target.url).port;
    const targets = new Map([
      ['sub-literal', { url: target.url, secrets: [secret()] }],
      ['sub-name', { url: `http://localhost:${port}/hook`, secrets: [secret()] }],
    ]);
    const queue = queueOn(store, targets, { allowPrivateTargets: false, retryWindowMs: 100 });
    const literal = await queue.enqueue('sub-literal', eventOf(1), bodyOf(eventOf(1)));
    const named = await queue.enqueue('sub-name', eventOf(2), bodyOf(eventOf(2)));
    const l = (await until(
      () => recordOf(store, literal.id),
      (r) => r?.status === 'FAILED',
    ))!;
    const n = (await until(
      () => recordOf(store, named.id),
      (r) => r?.status === 'FAILED',
    ))!;
    expect(l.lastError).toBe('refused address 127.0.0.1');
    expect(n.lastError).toMatch(/^refused address (127\.0\.0\.1|::1)$/);
    expect(target.received).toHaveLength(0);
  });

  it('does not follow redirects, times out a silent target, and stops for a removed subscription', async () => {
    const redirect = await receiver(() => 302);
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          silent.closeAllConnections();
          silent.close(() => r());
        }),
    );
    const failing = await receiver(() => 500);
    const store = await memoryStore();
    const targets = new Map([
      ['sub-302', { url: redirect.url, secrets: [secret()] }],
      ['sub-silent', { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, secrets: [secret()] }],
      ['sub-removed', { url: failing.url, secrets: [secret()] }],
    ]);
    const queue = queueOn(store, targets, { timeoutMs: 100, retryWindowMs: 150 });
    const moved = await queue.enqueue('sub-302', eventOf(1), bodyOf(eventOf(1)));
    const hung = await queue.enqueue('sub-silent', eventOf(2), bodyOf(eventOf(2)));
    const removed = await queue.enqueue('sub-removed', eventOf(3), bodyOf(eventOf(3)));

    const m = await until(
      () => recordOf(store, moved.id),
      (r) => r?.status === 'FAILED',
    );
    expect(m).toMatchObject({ lastStatusCode: 302, lastError: 'HTTP 302' });
    const h = await until(
      () => recordOf(store, hung.id),
      (r) => r?.status === 'FAILED',
    );
    expect(h).toMatchObject({ lastStatusCode: null, lastError: 'timeout after 100 ms' });

    await until(
      () => failing.received.length,
      (n) => n >= 1,
    );
    await queue.remove('sub-removed');
    const seen = failing.received.length;
    await sleep(200);
    expect(failing.received.length).toBeLessThanOrEqual(seen + 1); // at most the attempt in flight
    expect(await recordOf(store, removed.id)).toBeUndefined();
    expect(await queue.list('sub-removed', { first: 10 })).toEqual({ items: [], hasNextPage: false });
  });

  it('drops the queue of a subscription that is gone', async () => {
    const store = await memoryStore();
    const queue = queueOn(store, new Map());
    const gone = await queue.enqueue('sub-gone', eventOf(1), bodyOf(eventOf(1)));
    await until(
      () => recordOf(store, gone.id),
      (r) => r === undefined,
    );
    expect(await store.get('whdue')).toEqual({});
  });
});

describe('retry schedule', () => {
  const opts = { baseDelayMs: 5_000, maxDelayMs: 3_600_000 };

  it('doubles from baseDelayMs up to maxDelayMs, with equal jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, opts, () => 1))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, opts, () => 0))).toEqual([2_500, 5_000, 10_000, 20_000]);
    expect(retryDelayMs(20, opts, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(500, opts, () => 0)).toBe(1_800_000);
  });

  it('fails a delivery once the next attempt would fall after its window', () => {
    const record = {
      attempts: 2,
      status: 'PENDING',
      retryUntil: new Date(100_000).toISOString(),
    } as DeliveryRecord;
    const failure = { ok: false as const, statusCode: 503, error: 'HTTP 503' };
    const later = afterAttempt(record, failure, { startedAt: 50_000, endedAt: 50_100 }, { baseDelayMs: 1_000, maxDelayMs: 10_000 }, () => 1);
    expect(later).toMatchObject({ status: 'PENDING', attempts: 3, lastError: 'HTTP 503', lastStatusCode: 503, nextAttemptAt: new Date(54_100).toISOString() });
    const last = afterAttempt(record, failure, { startedAt: 98_000, endedAt: 98_100 }, { baseDelayMs: 1_000, maxDelayMs: 10_000 }, () => 1);
    expect(last).toMatchObject({ status: 'FAILED', attempts: 3, nextAttemptAt: null });
    const ok = afterAttempt(last, { ok: true, statusCode: 204 }, { startedAt: 99_000, endedAt: 99_010 }, { baseDelayMs: 1_000, maxDelayMs: 10_000 });
    expect(ok).toMatchObject({ status: 'DELIVERED', attempts: 4, lastError: null, lastStatusCode: 204 });
  });
});
