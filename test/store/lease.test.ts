import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';

const REDIS_URL = 'redis://127.0.0.1:6379/14';
const redisRuns = process.env.BOOKGRAPH_TEST_REDIS !== '0';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two "processes": on Redis two Store instances on one URL; elsewhere the primitives are per
 * process, so both sides share one store.
 */
const backends: Array<{ name: string; run: boolean; open: () => Promise<[Store, Store]> }> = [
  {
    name: 'memory',
    run: true,
    open: async () => {
      const store = await openStore('memory://');
      return [store, store];
    },
  },
  {
    name: 'file',
    run: true,
    open: async () => {
      const store = await openStore(`file://${join(mkdtempSync(join(tmpdir(), 'bg-lease-')), 'store.json')}`);
      return [store, store];
    },
  },
  { name: 'redis', run: redisRuns, open: async () => [await openStore(REDIS_URL), await openStore(REDIS_URL)] },
];

beforeAll(async () => {
  if (!redisRuns) return;
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  await client.flushDb();
  await client.quit();
});

describe.each(backends)('store primitives on $name', ({ name, run, open }) => {
  let opened: Store[] = [];
  afterEach(async () => {
    await Promise.all([...new Set(opened)].map((s) => s.close()));
    opened = [];
  });
  const both = async () => {
    const pair = await open();
    opened.push(...pair);
    return pair;
  };

  it.runIf(run)('a lease has one holder: renewed by it, released only by it, free again after release or expiry', async () => {
    const [a, b] = await both();
    const lease = `test:${name}:lease`;
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(true);
    expect(await b.lease(lease, 'owner-b', 5_000)).toBe(false);
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(true); // renewal by the holder
    expect(await b.releaseLease(lease, 'owner-b')).toBe(false); // not the holder
    expect(await b.lease(lease, 'owner-b', 5_000)).toBe(false);
    expect(await a.releaseLease(lease, 'owner-a')).toBe(true);
    expect(await b.lease(lease, 'owner-b', 150)).toBe(true);
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(false);
    await sleep(300);
    expect(await a.lease(lease, 'owner-a', 5_000)).toBe(true); // b's lease expired
    expect(await b.releaseLease(lease, 'owner-b')).toBe(false);
    expect(await a.releaseLease(lease, 'owner-a')).toBe(true);
  });

  it.runIf(run)('a renewal pushes the expiry out', async () => {
    const [a, b] = await both();
    const lease = `test:${name}:renew`;
    expect(await a.lease(lease, 'owner-a', 250)).toBe(true);
    await sleep(150);
    expect(await a.lease(lease, 'owner-a', 250)).toBe(true);
    await sleep(150);
    expect(await b.lease(lease, 'owner-b', 250)).toBe(false); // 300 ms after the first take, still held
  });

  it.runIf(run)('twenty owners racing for one lease: exactly one gets it', async () => {
    const [a, b] = await both();
    const lease = `test:${name}:race`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).lease(lease, `owner-${i}`, 5_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it.runIf(run)('setIfAbsent answers true once, writes a value get reads, and expires', async () => {
    const [a, b] = await both();
    const key = `test:${name}:once`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).setIfAbsent(key, { by: i }, 300)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await a.get(key)).toEqual({ by: winner });
    expect(await b.get(key)).toEqual({ by: winner });
    expect(await b.setIfAbsent(key, 'again', 300)).toBe(false);
    await sleep(500);
    expect(await a.get(key)).toBeUndefined();
    expect(await b.setIfAbsent(key, 'later', 0)).toBe(true); // no TTL: kept
    expect(await a.get(key)).toBe('later');
    expect(await a.setIfAbsent(key, 'other', 0)).toBe(false);
    await a.delete(key);
  });
});

describe.runIf(redisRuns)('store primitives on Redis: key spaces', () => {
  it('setIfAbsent writes the key keyv reads; leases live under bookgraph:lease:', async () => {
    const store = await openStore(REDIS_URL);
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    try {
      expect(await store.setIfAbsent('test:keyspace', 42, 10_000)).toBe(true);
      expect(await client.exists('bookgraph::test:keyspace')).toBe(1);
      expect(await client.pTTL('bookgraph::test:keyspace')).toBeGreaterThan(0);
      expect(await store.lease('test:keyspace', 'me', 10_000)).toBe(true);
      expect(await client.get('bookgraph:lease:test:keyspace')).toBe('me');
      expect(await store.get('test:keyspace')).toBe(42);
    } finally {
      await client.quit();
      await store.close();
    }
  });
});
