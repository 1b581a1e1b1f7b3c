import KeyvPostgres from '@keyv/postgres';
import pg from 'pg';
import { reasonOf, redactUrl } from './errors.js';
import { COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, OPEN_TIMEOUT_MS, type SharedAtomics, withTimeout } from './shared.js';

/** keyv's table (`key` varchar primary key, `value` text holding keyv's JSON envelope). */
export const VALUE_TABLE = 'bookgraph';
/** Locks and leases: one row per held name, `lock:<name>` or `lease:<name>`. */
export const LOCK_TABLE = 'bookgraph_locks';

/** A pool that fails fast: connect and statement timeouts, idle clients whose server went away dropped. */
export function newPostgresPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: COMMAND_TIMEOUT_MS,
    keepAlive: true,
    allowExitOnIdle: true,
  });
  pool.on('error', () => undefined); // an idle client whose server went away; the pool drops it
  return pool;
}

/**
 * A pool that fails fast: a connection attempt (TCP and login) gives up after `CONNECT_TIMEOUT_MS`,
 * a query after `COMMAND_TIMEOUT_MS`; a dead connection is dropped and the next query opens a new
 * one, so the store recovers by itself when PostgreSQL is back. Opening checks the login with a real
 * query and creates the lock table; a failure is one line naming the redacted URL.
 */
export async function openPostgresPool(url: string): Promise<pg.Pool> {
  const pool = newPostgresPool(url);
  // keyv's own table (the adapter would create it too, but later than our first statement may run).
  const tables = [
    `CREATE TABLE IF NOT EXISTS ${VALUE_TABLE} (key VARCHAR(255) PRIMARY KEY, value TEXT)`,
    `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (name text PRIMARY KEY, owner text NOT NULL, expires_at timestamptz NOT NULL)`,
  ];
  const create = async () => {
    for (const sql of tables)
      await pool.query(sql).catch((err: { code?: string }) => {
        // Two processes creating a table at once: the loser sees a duplicate (23505 / 42P07).
        if (err.code !== '23505' && err.code !== '42P07') throw err;
      });
  };
  try {
    await withTimeout(create(), OPEN_TIMEOUT_MS, () => new Error(`no answer within ${OPEN_TIMEOUT_MS} ms`));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the store ${redactUrl(url)}: ${reasonOf(err)}`);
  }
  // Rows of holders that died long ago and whose names never came back.
  await pool.query(`DELETE FROM ${LOCK_TABLE} WHERE expires_at < now() - interval '1 day'`).catch(() => undefined);
  return pool;
}

/**
 * keyv's PostgreSQL adapter on our pool. The stock adapter keeps one module-wide pool per URL (a
 * second store on the same URL shares it and closing either ends both) with no timeouts; this one
 * queries `pool` and ends only it.
 */
export class PoolKeyvPostgres extends KeyvPostgres {
  constructor(
    private readonly pool: pg.Pool,
    options: { uri: string; table: string },
  ) {
    super(options);
  }

  // Called from the base constructor: the returned function reads `this.pool` only when it runs.
  override async connect(): Promise<(sql: string, values?: unknown) => Promise<any[]>> {
    return async (sql, values) => (await this.pool.query(sql, values as unknown[] | undefined)).rows;
  }

  override async disconnect(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** Connection-level failures: Node socket errors, SQLSTATE classes 08 (connection) and 28 (login), and a few more. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '3D000',
]);
const UNREACHABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Cannot use a pool after calling end/i;

function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errors?: unknown[] } | undefined;
  const code = e?.code ?? '';
  return UNREACHABLE_CODES.has(code) || /^(08|28)/.test(code) || UNREACHABLE_MESSAGES.test(e?.message ?? '') || !!e?.errors?.some(isUnreachable);
}

/**
 * The shared primitives of a PostgreSQL store: locks and leases are rows of `bookgraph_locks` with
 * an owner and an expiry by the server's clock (one clock for every instance); conditional writes
 * are single statements on keyv's table, so they are atomic without a lock. `keyOfValue` maps a
 * store key to keyv's row key (`bookgraph:<key>`).
 */
export function postgresAtomics(pool: pg.Pool, keyOfValue: (key: string) => string): SharedAtomics {
  const row = (space: string, name: string) => `${space}:${name}`;
  const ms = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));
  // Envelope fields as SQL (the value column holds keyv's JSON text).
  const expires = `(${VALUE_TABLE}.value::jsonb ->> 'expires')::float8`;
  const version = `CASE WHEN jsonb_typeof(${VALUE_TABLE}.value::jsonb -> 'value' -> 'version') = 'number' THEN (${VALUE_TABLE}.value::jsonb -> 'value' ->> 'version')::float8 ELSE 0 END`;
  return {
    async tryTake(space, name, owner, ttlMs) {
      // Free, expired, or already ours: the row becomes ours; otherwise no row comes back.
      const { rowCount } = await pool.query(
        `INSERT INTO ${LOCK_TABLE} (name, owner, expires_at) VALUES ($1, $2, now() + $3::integer * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE ${LOCK_TABLE}.expires_at < now() OR ${LOCK_TABLE}.owner = excluded.owner
         RETURNING owner`,
        [row(space, name), owner, ms(ttlMs)],
      );
      return rowCount === 1;
    },
    async renew(space, name, owner, ttlMs) {
      const { rowCount } = await pool.query(
        `UPDATE ${LOCK_TABLE} SET expires_at = now() + $3::integer * interval '1 millisecond' WHERE name = $1 AND owner = $2 AND expires_at >= now()`,
        [row(space, name), owner, ms(ttlMs)],
      );
      return rowCount === 1;
    },
    async release(space, name, owner) {
      const { rowCount } = await pool.query(`DELETE FROM ${LOCK_TABLE} WHERE name = $1 AND owner = $2 AND expires_at >= now()`, [row(space, name), owner]);
      return rowCount === 1;
    },
    async setIfAbsent(key, raw) {
      // keyv's table has no TTL of its own: expiry lives in the envelope, which `raw` carries.
      const { rowCount } = await pool.query(
        `INSERT INTO ${VALUE_TABLE} (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE ${expires} < $3::float8
         RETURNING key`,
        [keyOfValue(key), raw, Date.now()],
      );
      return rowCount === 1;
    },
    async compareAndSet(key, expectedVersion, raw) {
      // Absent (or expired) expected: insert, or take over only an expired row. Otherwise update the
      // row only when it is live at the expected version; a concurrent writer's UPDATE waits for the
      // row lock and re-checks the condition against the committed row, so one of them wins.
      const { rowCount } =
        expectedVersion === null
          ? await pool.query(
              `INSERT INTO ${VALUE_TABLE} (key, value) VALUES ($1, $2)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE ${expires} < $3::float8
               RETURNING key`,
              [keyOfValue(key), raw, Date.now()],
            )
          : await pool.query(
              `UPDATE ${VALUE_TABLE} SET value = $2 WHERE key = $1 AND coalesce(${expires} >= $3::float8, true) AND ${version} = $4::float8 RETURNING key`,
              [keyOfValue(key), raw, Date.now(), expectedVersion],
            );
      return rowCount === 1;
    },
    isUnavailable: isUnreachable,
  };
}
