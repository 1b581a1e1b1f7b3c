import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/store/secret-box.js';
import { openStore } from '../../src/store/store.js';

const backends: Array<{ name: string; url: () => string; run: boolean }> = [
  { name: 'memory', url: () => 'memory://', run: true },
  { name: 'file', url: () => `file://${join(mkdtempSync(join(tmpdir(), 'bg-file-')), 'store.json')}`, run: true },
  { name: 'redis', url: () => 'redis://127.0.0.1:6379', run: process.env.BOOKGRAPH_TEST_REDIS !== '0' },
  { name: 'postgres', url: () => 'postgres://postgres@127.0.0.1:5432/test', run: process.env.BOOKGRAPH_TEST_POSTGRES !== '0' },
];

describe.each(backends)('store backend $name', ({ url, run }) => {
  it.runIf(run)('writes, reads, expires, deletes, locks and answers ping', async () => {
    const store = await openStore(url());
    try {
      const key = `test:${randomBytes(6).toString('hex')}`;
      await store.set(key, { a: 1, b: ['x', 'ü'] });
      expect(await store.get(key)).toEqual({ a: 1, b: ['x', 'ü'] });
      await store.set(`${key}:ttl`, 'short', 150);
      expect(await store.get(`${key}:ttl`)).toBe('short');
      await new Promise((r) => setTimeout(r, 400));
      expect(await store.get(`${key}:ttl`)).toBeUndefined();
      expect(await store.delete(key)).toBe(true);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.ping()).toBe(true);
      // withLock serializes: 20 increments under the lock lose none.
      await store.set(`${key}:n`, 0);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.withLock(`${key}:n`, async () => {
            const n = (await store.get<number>(`${key}:n`)) ?? 0;
            await new Promise((r) => setTimeout(r, 1));
            await store.set(`${key}:n`, n + 1);
          }),
        ),
      );
      expect(await store.get(`${key}:n`)).toBe(20);
    } finally {
      await store.close();
    }
  });
});

describe('file store durability', () => {
  it('keeps every acknowledged write across a reopen, and a torn last journal line loses nothing before it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bg-durable-')), 'store.json');
    const first = await openStore(`file://${path}`);
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.set(`k${i}`, i)));
    await first.delete('k3');
    await first.close();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(`${path}.journal`, '{"k":"torn","v":{"val');
    const second = await openStore(`file://${path}`);
    expect(await second.get('k49')).toBe(49);
    expect(await second.get('k3')).toBeUndefined();
    expect(await second.get('torn')).toBeUndefined();
    await second.close();
  });
});

describe('SecretBox', () => {
  const key = () => ({ id: randomBytes(3).toString('hex'), key: randomBytes(32) });

  it('encrypts with AES-256-GCM, binds the value to its record, and rotates keys', () => {
    const old = key();
    const next = key();
    const before = new SecretBox([old]);
    const sealed = before.encrypt('client-secret-value', 'connection:a');
    expect(sealed).not.toContain('client-secret-value');
    expect(sealed.split(':')[2]).toBe(old.id);
    expect(() => before.decrypt(sealed, 'connection:b')).toThrow();
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'BBB' : 'AAA');
    expect(() => before.decrypt(tampered, 'connection:a')).toThrow();
    const after = new SecretBox([next, old]);
    expect(after.decrypt(sealed, 'connection:a')).toBe('client-secret-value');
    expect(after.needsRotation(sealed)).toBe(true);
    expect(after.encrypt('x', 'y').split(':')[2]).toBe(next.id);
    expect(() => new SecretBox([next]).decrypt(sealed, 'connection:a')).toThrow(/no encryption key/);
  });

  it('reads BOOKGRAPH_ENCRYPTION_KEY and explains a bad one', () => {
    const k = randomBytes(32).toString('base64');
    expect(SecretBox.fromEnv(k).keyId).toBe('k1');
    expect(SecretBox.fromEnv(`new:${k},old:${randomBytes(32).toString('base64')}`).keyId).toBe('new');
    expect(() => SecretBox.fromEnv('short')).toThrow(/randomBytes\(32\)/);
  });
});
