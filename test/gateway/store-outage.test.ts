import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlResult, gql, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A gateway on a Redis store that goes away under load and comes back: while it is down, every answer
 * is fast (data where nothing needed the store, else STORE_UNAVAILABLE — never INTERNAL_SERVER_ERROR
 * and never a hang), and once Redis is back the same gateway answers again without a restart. Redis
 * runs as a child process of the test (append-only file in a temporary directory, so it comes back
 * with its data), on a port of its own.
 */
const run = process.env.BOOKGRAPH_TEST_REDIS !== '0';
const QUERY = '{ connections { id provider status } }';

describe.runIf(run)('Redis restarted under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bookgraph-outage-'));
  let port = 0;
  let redis: ChildProcess | null = null;
  let tg: TestGateway;

  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = createConnection(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = async () => {
    const r = redis;
    redis = null;
    if (!r) return;
    const exited = new Promise((resolve) => r.once('exit', resolve));
    r.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    tg = await startTestGateway({ storeUrl: `redis://127.0.0.1:${port}/0` });
  }, 60_000);
  afterAll(async () => {
    await tg?.close().catch(() => undefined);
    await stopRedis();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers fast and clearly while Redis is down, and recovers by itself when it is back', async () => {
    const answers: Array<{ phase: 'down' | 'up'; ms: number; r: GqlResult }> = [];
    let phase: 'down' | 'up' = 'up';
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const started = Date.now();
        const tenant = await tg.tenant().catch(() => null);
        const r = await gql(tg.url, tenant?.apiKey ?? tg.demoKey, QUERY);
        answers.push({ phase, ms: Date.now() - started, r });
      }
    };
    expect((await gql(tg.url, tg.demoKey, QUERY)).body.errors).toBeUndefined();
    const workers = Array.from({ length: 4 }, worker);
    await new Promise((r) => setTimeout(r, 300));
    await stopRedis();
    phase = 'down';
    await new Promise((r) => setTimeout(r, 2_000));
    await startRedis();
    phase = 'up';
    // Recovery: the same gateway answers without errors again within a few seconds.
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      const r = await gql(tg.url, tg.demoKey, QUERY);
      recovered = !r.body.errors && r.status === 200;
      if (!recovered) await new Promise((res) => setTimeout(res, 100));
    }
    stop = true;
    await Promise.all(workers);
    expect(recovered).toBe(true);
    const downMs = answers.filter((a) => a.phase === 'down').map((a) => a.ms);
    console.log(`[store outage] ${answers.length} answers, ${downMs.length} while Redis was down (slowest ${Math.max(...downMs)} ms)`);

    const down = answers.filter((a) => a.phase === 'down');
    expect(down.length).toBeGreaterThan(0);
    const codes = new Set(down.flatMap((a) => (a.r.body.errors ?? []).map((e) => e.extensions?.code)));
    expect([...codes].filter((c) => c !== 'STORE_UNAVAILABLE')).toEqual([]);
    expect(codes.has('STORE_UNAVAILABLE')).toBe(true);
    // Fast: no request waited for a store that was not there.
    expect(Math.max(...down.map((a) => a.ms))).toBeLessThan(4_000);
    const message = down.flatMap((a) => a.r.body.errors ?? []).find((e) => e.extensions?.code === 'STORE_UNAVAILABLE')?.message ?? '';
    expect(message).toMatch(/unreachable|unavailable/i);
    const internal = answers.filter((a) => JSON.stringify(a.r.body).includes('INTERNAL_SERVER_ERROR'));
    expect(internal).toEqual([]);
  }, 60_000);
});
