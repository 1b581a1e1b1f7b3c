import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockTimeoutError, openStore, type Store } from '../../src/store/store.js';

// Two Store instances on one URL stand for two gateway processes; the dead-holder case uses a real
// child process killed with SIGKILL.
const REDIS_URL = 'redis://127.0.0.1:6379/12';
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_DB = `bookgraph_lock_${randomBytes(4).toString('hex')}`;
const PG_URL = `postgres://postgres@127.0.0.1:5432/${PG_DB}`;
const redisRuns = process.env.BOOKGRAPH_TEST_REDIS !== '0';
const pgRuns = process.env.BOOKGRAPH_TEST_POSTGRES !== '0';
const ROOT = join(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = (what: string) => `${what}:${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  if (redisRuns) {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    await client.flushDb();
    await client.close();
  }
  if (pgRuns) {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${PG_DB}`);
    await admin.end();
  }
});

const opened: Store[] = [];
afterAll(async () => {
  await Promise.allSettled(opened.map((s) => s.close()));
  if (pgRuns) {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
    await admin.end();
  }
});

const open = async (url: string): Promise<Store> => {
  const store = await openStore(url);
  opened.push(store);
  return store;
};

const backends = [
  { name: 'redis', url: REDIS_URL, run: redisRuns, shared: true },
  { name: 'postgres', url: PG_URL, run: pgRuns, shared: true },
  { name: 'memory (one process)', url: 'memory://', run: true, shared: false },
];

describe.each(backends)('shared lock and compareAndSet on $name', ({ url, run, shared }) => {
  let a: Store;
  let b: Store;
  /** Tests about two processes exist only for the backends two processes can share (none is skipped). */
  const itShared = (name: string, fn: () => Promise<void>, timeout?: number) => {
    if (shared) it.runIf(run)(name, fn, timeout);
  };
  beforeAll(async () => {
    if (!run) return;
    a = await open(url);
    b = shared ? await open(url) : a;
  });

  it.runIf(run)('one holder at a time: 20 concurrent withLock calls over both instances never overlap', async () => {
    const name = unique('overlap');
    let active = 0;
    let overlaps = 0;
    let ran = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).withLock(name, async () => {
          if (++active > 1) overlaps++;
          await sleep(3 + Math.random() * 10);
          active--;
          ran++;
        }),
      ),
    );
    expect(overlaps).toBe(0);
    expect(ran).toBe(20);
  });

  it.runIf(run)('a waiter gives up after waitMs with LockTimeoutError naming the lock, and never runs', async () => {
    const name = unique('timeout');
    let release!: () => void;
    const holding = a.withLock(name, () => new Promise<void>((r) => (release = r)));
    await sleep(50);
    let ran = false;
    const started = Date.now();
    const waiting = b.withLock(
      name,
      async () => {
        ran = true;
      },
      { waitMs: 300 },
    );
    await expect(waiting).rejects.toBeInstanceOf(LockTimeoutError);
    await expect(waiting).rejects.toThrow(name);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1_500);
    release();
    await holding;
    expect(ran).toBe(false);
    expect(await b.withLock(name, async () => 'free again')).toBe('free again');
  });

  it.runIf(run)('compareAndSet: one of two writers of the same expected version wins, an older version never overwrites a newer one', async () => {
    const key = unique('cas');
    expect(await a.compareAndSet(key, null, { version: 1, sealed: 'v1' })).toBe(true);
    expect(await b.compareAndSet(key, null, { version: 1, sealed: 'again' })).toBe(false); // not absent any more
    expect(await b.get(key)).toEqual({ version: 1, sealed: 'v1' }); // what get reads back
    for (let v = 1; v <= 10; v++) {
      const results = await Promise.all([a.compareAndSet(key, v, { version: v + 1, by: 'a' }), b.compareAndSet(key, v, { version: v + 1, by: 'b' })]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await a.get(key)).toEqual({ version: v + 1, by: results[0] ? 'a' : 'b' });
    }
    // A slow writer that read version 3 comes back with its version 4: refused, 11 stays.
    expect(await b.compareAndSet(key, 3, { version: 4, by: 'slow' })).toBe(false);
    expect(await a.get<{ version: number }>(key)).toMatchObject({ version: 11 });
    await expect(a.compareAndSet(key, 11, { version: 11 })).rejects.toThrow(RangeError);
  });

  it.runIf(run)('compareAndSet: a value without a version counts as 0; a TTL expires the value and the key counts as absent', async () => {
    const plain = unique('cas-plain');
    await a.set(plain, { sealed: 'legacy' });
    expect(await b.compareAndSet(plain, null, { version: 1 })).toBe(false);
    expect(await b.compareAndSet(plain, 0, { version: 1, sealed: 'new' })).toBe(true);
    const short = unique('cas-ttl');
    expect(await a.compareAndSet(short, null, { version: 1 }, 200)).toBe(true);
    expect(await b.get(short)).toEqual({ version: 1 });
    await sleep(350);
    expect(await b.get(short)).toBeUndefined();
    expect(await b.compareAndSet(short, 1, { version: 2 })).toBe(false);
    expect(await b.compareAndSet(short, null, { version: 1, again: true })).toBe(true);
  });

  itShared('extension keeps a long fn exclusive: a 1.2 s holder with a 300 ms TTL is never overlapped', async () => {
    const name = unique('extend');
    const spans: Array<[number, number]> = [];
    const hold = (store: Store, ms: number) =>
      store.withLock(
        name,
        async () => {
          const start = Date.now();
          await sleep(ms);
          spans.push([start, Date.now()]);
        },
        { ttlMs: 300, waitMs: 5_000 },
      );
    const first = hold(a, 1_200);
    await sleep(50);
    await Promise.all([first, hold(b, 10)]);
    spans.sort((x, y) => x[0] - y[0]);
    expect(spans[0][1] - spans[0][0]).toBeGreaterThanOrEqual(1_150);
    expect(spans[1][0]).toBeGreaterThanOrEqual(spans[0][1]);
  });

  itShared('a lock whose holder died (SIGKILL, never released) is taken once its TTL has run out', async () => {
    const name = unique('dead');
    const script = `import { openStore } from './src/store/store.ts';
      const store = await openStore(${JSON.stringify(url)});
      store.withLock(${JSON.stringify(name)}, () => { console.log('held'); return new Promise(() => {}); }, { ttlMs: 1000 });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.once('exit', () => reject(new Error('the holder exited before taking the lock')));
    });
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await expect(b.withLock(name, async () => 'late', { waitMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError); // still held
    expect(await b.withLock(name, async () => 'taken', { waitMs: 5_000 })).toBe('taken');
    const waited = Date.now() - killedAt;
    expect(waited).toBeGreaterThanOrEqual(300); // the holder's last renewal can be up to 500 ms before the kill
    expect(waited).toBeLessThan(2_500);
  });

  itShared('leases and setIfAbsent hold across the two instances', async () => {
    const lease = unique('lease');
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(true);
    expect(await b.lease(lease, 'owner-b', 5_000)).toBe(false);
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(true); // renewal by the holder
    expect(await b.releaseLease(lease, 'owner-b')).toBe(false);
    expect(await a.releaseLease(lease, 'owner-a')).toBe(true);
    expect(await b.lease(lease, 'owner-b', 200)).toBe(true);
    await sleep(300);
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(true); // b's lease ran out
    const key = unique('once');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).setIfAbsent(key, { by: i }, 300)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.get(key)).toEqual({ by: results.indexOf(true) });
    await sleep(400);
    expect(await b.setIfAbsent(key, 'after expiry', 0)).toBe(true);
    expect(await a.get(key)).toBe('after expiry');
  });
});
