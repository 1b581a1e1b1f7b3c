import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BODY_TABLE, PostgresEventBus } from '../../src/events/postgres-bus.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectStatusChangeAcross } from '../helpers/instances.js';

/**
 * PostgresEventBus on the PostgreSQL of this machine, in a database of its own created and dropped
 * per run. Two buses on one database stand for two gateway instances; then two real gateways on it.
 */
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_DB = `bookgraph_bus_${randomBytes(4).toString('hex')}`;
const PG_URL = `postgres://postgres@127.0.0.1:5432/${PG_DB}`;
const run = process.env.BOOKGRAPH_TEST_POSTGRES !== '0';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads `iterator` in the background into `seen`, until it is returned. */
function collect<T>(iterator: AsyncIterableIterator<T>): { seen: T[]; done: Promise<void> } {
  const seen: T[] = [];
  const done = (async () => {
    for await (const value of iterator) seen.push(value);
  })();
  return { seen, done };
}

async function until(check: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(20);
  return check();
}

describe.runIf(run)('PostgresEventBus', () => {
  const buses: PostgresEventBus[] = [];
  let a: PostgresEventBus;
  let b: PostgresEventBus;
  const errors: unknown[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${PG_DB}`);
    await admin.end();
    a = await PostgresEventBus.connect(PG_URL, (err) => errors.push(err));
    b = await PostgresEventBus.connect(PG_URL, (err) => errors.push(err));
    buses.push(a, b);
  });

  afterAll(async () => {
    await Promise.allSettled(buses.map((bus) => bus.close()));
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
    await admin.end();
  });

  it('a publish on one instance reaches the subscribers of its topic on both, exactly once', async () => {
    const onA = a.subscribe<{ n: number }>('t1');
    const onB = b.subscribe<{ n: number }>('t1');
    const otherOnB = b.subscribe<{ n: number }>('t2');
    const [ca, cb, cOther] = [collect(onA), collect(onB), collect(otherOnB)];
    a.publish('t1', { n: 1 });
    a.publish('t2', { n: 2 });
    b.publish('t1', { n: 3 });
    expect(await until(() => ca.seen.length >= 2 && cb.seen.length >= 2 && cOther.seen.length >= 1)).toBe(true);
    await sleep(300); // nothing more arrives
    // Two publishers: either order, but the same one everywhere (PostgreSQL's one queue, commit order).
    expect([...ca.seen].sort((x, y) => x.n - y.n)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(cb.seen).toEqual(ca.seen);
    expect(cOther.seen).toEqual([{ n: 2 }]);
    await Promise.all([onA.return?.(), onB.return?.(), otherOnB.return?.()]);
    await Promise.all([ca.done, cb.done, cOther.done]);
    expect(errors).toEqual([]);
  });

  it('a 20 KB payload arrives whole, through the body table, in order with small ones', async () => {
    const big = { text: randomBytes(10_000).toString('hex'), note: 'é€ multi-byte' };
    const onB = b.subscribe<any>('big');
    const cb = collect(onB);
    const started = Date.now();
    a.publish('big', { n: 1 });
    a.publish('big', big);
    a.publish('big', { n: 2 });
    expect(await until(() => cb.seen.length >= 3)).toBe(true);
    const ms = Date.now() - started;
    expect(cb.seen).toEqual([{ n: 1 }, big, { n: 2 }]);
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    const { rows } = await db.query(`SELECT length(body) AS length FROM ${EVENT_BODY_TABLE}`);
    await db.end();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].length)).toBeGreaterThan(20_000);
    console.log(`20 KB payload: 3 events in ${ms} ms`);
    await onB.return?.();
    await cb.done;
  });

  it("a subscriber's return() stops its delivery, not the others'", async () => {
    const first = b.subscribe<{ n: number }>('stop');
    const second = b.subscribe<{ n: number }>('stop');
    const [c1, c2] = [collect(first), collect(second)];
    a.publish('stop', { n: 1 });
    expect(await until(() => c1.seen.length >= 1 && c2.seen.length >= 1)).toBe(true);
    await first.return?.();
    await c1.done;
    a.publish('stop', { n: 2 });
    expect(await until(() => c2.seen.length >= 2)).toBe(true);
    await sleep(200);
    expect(c1.seen).toEqual([{ n: 1 }]);
    expect(c2.seen).toEqual([{ n: 1 }, { n: 2 }]);
    await second.return?.();
    await c2.done;
  });

  it('a dropped listening connection is opened again and LISTENs again', async () => {
    const bus = await PostgresEventBus.connect(PG_URL);
    buses.push(bus);
    const events = bus.subscribe<{ n: number }>('again');
    const c = collect(events);
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    // Every connection of the database goes: both buses' listeners and pools.
    const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [PG_DB]);
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(3);
    const started = Date.now();
    let n = 0;
    const publishing = setInterval(() => a.publish('again', { n: ++n }), 50);
    try {
      expect(await until(() => c.seen.length >= 1, 10_000)).toBe(true);
    } finally {
      clearInterval(publishing);
    }
    console.log(`listening again ${Date.now() - started} ms after the connections were terminated`);
    await events.return?.();
    await c.done;
  });

  it('an unreachable PostgreSQL fails at connect within 5 s, one line naming the redacted URL', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const started = Date.now();
    const err = await PostgresEventBus.connect(`postgres://postgres:secret@127.0.0.1:${port}/${PG_DB}`).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err?.message).toMatch(new RegExp(`^cannot open the event bus postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/${PG_DB}: `));
    expect(err?.message).not.toContain('secret');
    expect(err?.message).not.toContain('\n');
  });

  describe('two gateways on one PostgreSQL', () => {
    let g1: TestGateway;
    let g2: TestGateway;
    beforeAll(async () => {
      const base = 20_000 + Math.floor(Math.random() * 400) * 10;
      const shared = { DEMO_API_KEY: `bg_${randomBytes(24).toString('base64url')}`, SANDBOX_PORT_BASE: String(base) };
      const encryptionKey = randomBytes(32).toString('base64');
      g1 = await startTestGateway({ storeUrl: PG_URL, encryptionKey, env: shared });
      // The second instance uses the first one's emulators (and its connections, from the store).
      g2 = await startTestGateway({ storeUrl: PG_URL, encryptionKey, env: { ...shared, SANDBOX_EMULATORS: 'external' } });
    });
    afterAll(async () => {
      await g2?.close();
      await g1?.close();
    });

    it('a connectionStatusChanged subscriber on one hears a disconnectProvider done through the other', async () => {
      const ms = await expectStatusChangeAcross(g1, g2, 'postgres-bus');
      console.log(`connectionStatusChanged on the other gateway ${ms} ms after disconnectProvider was sent`);
    });
  });
});
