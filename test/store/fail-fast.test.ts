import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../helpers/ports.js';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisEventBus } from '../../src/events/bus.js';
import { openStore, StoreUnavailableError, type Store } from '../../src/store/store.js';

const redisRuns = process.env.BOOKGRAPH_TEST_REDIS !== '0';
const pgRuns = process.env.BOOKGRAPH_TEST_POSTGRES !== '0';
const ROOT = join(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

/** How `openStore(url)` fails: its message and how long it took. */
async function openFailure(url: string): Promise<{ message: string; ms: number }> {
  const started = Date.now();
  try {
    const store = await openStore(url);
    await store.close();
  } catch (err) {
    return { message: (err as Error).message, ms: Date.now() - started };
  }
  throw new Error(`openStore(${url}) opened`);
}

describe('openStore fails fast with one line naming the redacted URL', () => {
  it.runIf(redisRuns)('Redis on a closed port', async () => {
    const port = await freePort();
    const { message, ms } = await openFailure(`redis://:s3cret@127.0.0.1:${port}/0`);
    expect(ms).toBeLessThan(5_000);
    expect(message).toMatch(new RegExp(`^cannot open the store redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0: .*ECONNREFUSED`));
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('\n');
  });

  it('Redis that accepts the connection and never answers', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const { message, ms } = await openFailure(`redis://127.0.0.1:${port}`);
      expect(ms).toBeLessThan(5_000);
      expect(message).toMatch(/^cannot open the store redis:\/\/127\.0\.0\.1:\d+: no answer within/);
    } finally {
      server.close();
    }
  });

  it.runIf(pgRuns)('PostgreSQL with a database that does not exist, a user that does not exist, and a closed port', async () => {
    const missing = await openFailure(`postgres://postgres:pw@127.0.0.1:5432/bookgraph_missing_${randomBytes(3).toString('hex')}`);
    expect(missing.ms).toBeLessThan(5_000);
    expect(missing.message).toMatch(
      /^cannot open the store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/bookgraph_missing_\w+: database "bookgraph_missing_\w+" does not exist/,
    );
    expect(missing.message).not.toContain(':pw@');
    const nobody = await openFailure(`postgres://nobody_${randomBytes(3).toString('hex')}@127.0.0.1:5432/postgres`);
    expect(nobody.ms).toBeLessThan(5_000);
    expect(nobody.message).toMatch(/^cannot open the store postgres:\/\/nobody_\w+@127\.0\.0\.1:5432\/postgres: role "nobody_\w+" does not exist/);
    const port = await freePort();
    const closed = await openFailure(`postgres://postgres@127.0.0.1:${port}/postgres`);
    expect(closed.ms).toBeLessThan(5_000);
    expect(closed.message).toMatch(/ECONNREFUSED/);
    for (const m of [missing.message, nobody.message, closed.message]) expect(m).not.toContain('\n');
  });

  it.runIf(redisRuns)('the event bus on a closed port', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(RedisEventBus.connect(`redis://:s3cret@127.0.0.1:${port}`)).rejects.toThrow(
      new RegExp(`^cannot open the event bus redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('`bookgraph start` prints that one line (no stack) and exits non-zero', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await run(process.execPath, ['bin/bookgraph.js', 'start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', STORE_URL: `redis://:s3cret@127.0.0.1:${port}/0`, PORT: '0' },
      timeout: 20_000,
    }).then(
      (x) => ({ code: 0, out: x.stdout + x.stderr }),
      (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(new RegExp(`^bookgraph: cannot open the store redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0: `));
    expect(Date.now() - started).toBeLessThan(10_000); // start-up of node and tsx included
  });
});

describe('a store whose server goes away fails fast and recovers by itself', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  async function redisServer(port: number): Promise<ChildProcess> {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(child);
    for (let i = 0; i < 50; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(true)); // the port is taken: the server listens
        s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
      });
      if (up) return child;
      await sleep(50);
    }
    throw new Error('redis-server did not start');
  }

  async function until<T>(probe: () => Promise<T>, ms: number): Promise<{ value: T; after: number }> {
    const started = Date.now();
    for (;;) {
      try {
        return { value: await probe(), after: Date.now() - started };
      } catch (err) {
        if (Date.now() - started > ms) throw err;
        await sleep(50);
      }
    }
  }

  it.runIf(redisRuns)(
    'Redis killed: get, set and withLock reject at once with StoreUnavailableError; restarted: everything works again, no reopen',
    async () => {
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}/0`;
      let server = await redisServer(port);
      const store = await openStore(url);
      const bus = await RedisEventBus.connect(url);
      try {
        await store.set('k', 'before');
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        await sleep(100);
        for (const op of [
          () => store.get('k'),
          () => store.set('k', 'during'),
          () => store.withLock('l', async () => 1),
          () => store.compareAndSet('v', null, { version: 1 }),
        ]) {
          const started = Date.now();
          const err = await op().then(
            () => null,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(StoreUnavailableError);
          expect((err as Error).message).toBe(`The store ${url} is unreachable; try again shortly.`);
          expect(Date.now() - started).toBeLessThan(200);
        }
        bus.publish('t', { during: true }); // fails at once, reported, nothing thrown

        server = await redisServer(port);
        const { after } = await until(() => store.get('k'), 5_000);
        expect(after).toBeLessThan(5_000);
        await store.set('k', 'after');
        expect(await store.get('k')).toBe('after');
        expect(await store.withLock('l', async () => 'locked')).toBe('locked');
        // The bus's subscriber subscribes again after the reconnect: a publish gets through.
        const events = bus.subscribe<{ n: number }>('t');
        const received = events.next();
        let n = 0;
        const publishing = setInterval(() => bus.publish('t', { n: ++n }), 100);
        try {
          expect((await received).value).toMatchObject({ n: expect.any(Number) });
        } finally {
          clearInterval(publishing);
          await events.return?.();
        }
      } finally {
        await bus.close();
        await store.close();
        server.kill('SIGKILL');
      }
    },
  );

  it.runIf(pgRuns)('PostgreSQL behind a proxy that drops: operations reject fast with StoreUnavailableError and recover when it is back', async () => {
    const db = `bookgraph_ff_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    // A TCP proxy we can take down and bring back on the same port: the database "goes away".
    const port = await freePort();
    const sockets = new Set<Socket>();
    let proxy: Server | undefined;
    const up = () =>
      new Promise<void>((resolve) => {
        proxy = createServer((client) => {
          const upstream = connect(5432, '127.0.0.1');
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('error', () => undefined);
            s.on('close', () => sockets.delete(s));
          }
          client.pipe(upstream).pipe(client);
        });
        proxy.listen(port, '127.0.0.1', () => resolve());
      });
    const down = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        proxy?.close(() => resolve());
      });
    await up();
    const url = `postgres://postgres:pw@127.0.0.1:${port}/${db}`;
    let store: Store | undefined;
    try {
      store = await openStore(url);
      await store.set('k', 'before');
      await down();
      for (const op of [() => store!.get('k'), () => store!.set('k', 'during'), () => store!.withLock('l', async () => 1)]) {
        const started = Date.now();
        const err = await op().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect((err as Error).message).toContain(`postgres://postgres:***@127.0.0.1:${port}/${db}`);
        expect(Date.now() - started).toBeLessThan(500);
      }
      await up();
      const { value } = await until(() => store!.get('k'), 5_000);
      expect(value).toBe('before');
      await store.set('k', 'after');
      expect(await store.get('k')).toBe('after');
    } finally {
      await store?.close();
      await down();
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  });
});
