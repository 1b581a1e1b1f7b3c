import pg from 'pg';
import { reasonOf, redactUrl } from '../store/errors.js';
import { newPostgresPool } from '../store/postgres.js';
import { COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, OPEN_TIMEOUT_MS, reconnectDelayMs, withTimeout } from '../store/shared.js';
import { type EventBus, MemoryEventBus } from './bus.js';

/** The one LISTEN/NOTIFY channel every topic travels on. */
export const EVENT_CHANNEL = 'bookgraph_events';
/** Bodies too large for a NOTIFY payload; the notification carries `{"ref": id}`. */
export const EVENT_BODY_TABLE = 'bookgraph_event_bodies';
/**
 * A message (`{"topic","payload"}` as JSON) above this many UTF-8 bytes goes through the body table.
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; the margin covers its own framing.
 */
export const INLINE_LIMIT_BYTES = 7_000;
/** How long a stored body stays readable (listeners read it within milliseconds). */
const BODY_TTL_MINUTES = 5;
/** At most one sweep of old bodies per this many ms, done by a publish of a large body. */
const SWEEP_EVERY_MS = 60_000;
/** How often the listening connection proves it is alive (a dropped TCP path emits no 'end'). */
const HEARTBEAT_MS = 10_000;
/** Publishes waiting for their turn beyond this are dropped (a store that stopped answering). */
const MAX_PENDING_PUBLISHES = 10_000;

/** What travels: inline, or a reference to a row of the body table. */
type Notice = { topic: string; payload: unknown } | { ref: number | string };

/**
 * Events across gateway instances through PostgreSQL LISTEN/NOTIFY, with the semantics of
 * `RedisEventBus`: every instance, the publisher included, hears each event once, from PostgreSQL,
 * and fans it out to its own subscribers through a `MemoryEventBus`. Payloads travel as JSON. Used
 * when `STORE_URL` is PostgreSQL.
 *
 * - One dedicated connection does `LISTEN bookgraph_events` (every topic shares the channel; an
 *   instance drops events of topics nobody subscribed to locally). Publishes run
 *   `SELECT pg_notify('bookgraph_events', $1)` on a pool, one after another, so one instance's
 *   events arrive everywhere in the order it published them.
 * - A message larger than `INLINE_LIMIT_BYTES` is inserted into `bookgraph_event_bodies` and only
 *   `{"ref": id}` is notified, in the same statement (the row is committed when the notification is
 *   delivered); listeners read the row. Rows older than 5 minutes are deleted now and then.
 * - Delivery is at most once, like Redis pub/sub: events published while PostgreSQL (or this
 *   instance's listening connection) is down are lost, for every instance; nothing is replayed.
 */
export class PostgresEventBus implements EventBus {
  private readonly local = new MemoryEventBus();
  private listener: pg.Client | null = null;
  private closed = false;
  private reported = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  /** Publishes run one after another (order); receptions too (a body read must not overtake). */
  private publishing: Promise<void> = Promise.resolve();
  private pending = 0;
  private receiving: Promise<void> = Promise.resolve();
  private lastSweep = 0;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    listener: pg.Client,
    private readonly onError: (err: unknown) => void,
  ) {
    this.attach(listener);
    this.heartbeat = setInterval(() => this.checkListener(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Opens the pool (creating the body table when missing) and the listening connection. Fails fast
   * like the store: an unreachable PostgreSQL or a refused login rejects within `OPEN_TIMEOUT_MS`
   * with one line naming the redacted URL. At run time a lost listening connection is opened again
   * with capped backoff (`reconnectDelayMs`) and LISTENs again; a failed publish is reported through
   * `onError` (once per outage) and dropped.
   */
  static async connect(url: string, onError: (err: unknown) => void = () => undefined): Promise<PostgresEventBus> {
    const pool = newPostgresPool(url);
    let listener: pg.Client | undefined;
    let gaveUp = false;
    const open = async () => {
      await pool
        .query(`CREATE TABLE IF NOT EXISTS ${EVENT_BODY_TABLE} (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`)
        .catch((err: { code?: string }) => {
          // Two instances creating the table at once: the loser sees a duplicate (23505 / 42P07).
          if (err.code !== '23505' && err.code !== '42P07') throw err;
        });
      const client = await openListener(url);
      // Opened after the timeout gave up: nobody will use it.
      if (gaveUp) await client.end();
      else listener = client;
    };
    try {
      await withTimeout(open(), OPEN_TIMEOUT_MS, () => new Error(`no answer within ${OPEN_TIMEOUT_MS} ms`));
    } catch (err) {
      gaveUp = true;
      await Promise.allSettled([pool.end(), listener?.end()]);
      throw new Error(`cannot open the event bus ${redactUrl(url)}: ${reasonOf(err)}`);
    }
    return new PostgresEventBus(url, pool, listener!, onError);
  }

  publish(topic: string, payload: unknown): void {
    if (this.closed) return;
    const message = JSON.stringify({ topic, payload });
    if (this.pending >= MAX_PENDING_PUBLISHES) return this.report(new Error(`event bus: ${this.pending} publishes waiting, "${topic}" dropped`));
    this.pending++;
    this.publishing = this.publishing
      .then(() => this.send(message))
      .then(
        () => {
          // Through again: the next outage is reported (unless the listener is still down).
          if (this.listener) this.reported = false;
        },
        (err: unknown) => this.report(err),
      )
      .finally(() => void this.pending--);
  }

  subscribe<T>(topic: string): AsyncIterableIterator<T> {
    // Every topic arrives on the one channel: a subscription is only local.
    return this.local.subscribe<T>(topic);
  }

  /** Stops listening and ends both connections, after the publishes already made are sent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    await withTimeout(this.publishing, COMMAND_TIMEOUT_MS, () => new Error('publishes still pending')).catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await Promise.allSettled([listener?.end(), this.pool.ended ? undefined : this.pool.end()]);
  }

  private async send(message: string): Promise<void> {
    if (Buffer.byteLength(message) <= INLINE_LIMIT_BYTES) {
      await this.pool.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, message]);
      return;
    }
    // One statement: the notification is delivered at commit, when the row is visible to listeners.
    await this.pool.query(
      `WITH body AS (INSERT INTO ${EVENT_BODY_TABLE} (body) VALUES ($2) RETURNING id)
       SELECT pg_notify($1, json_build_object('ref', body.id)::text) FROM body`,
      [EVENT_CHANNEL, message],
    );
    if (Date.now() - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = Date.now();
      await this.pool.query(`DELETE FROM ${EVENT_BODY_TABLE} WHERE created_at < now() - interval '${BODY_TTL_MINUTES} minutes'`).catch(this.onError);
    }
  }

  /** Handles one notification, after those before it (a body read must not reorder events). */
  private receive(text: string): void {
    this.receiving = this.receiving.then(async () => {
      try {
        let notice = JSON.parse(text) as Notice;
        if ('ref' in notice) {
          const { rows } = await this.pool.query<{ body: string }>(`SELECT body FROM ${EVENT_BODY_TABLE} WHERE id = $1`, [notice.ref]);
          if (!rows[0]) throw new Error(`event body ${notice.ref} is gone (older than ${BODY_TTL_MINUTES} minutes?)`);
          notice = JSON.parse(rows[0].body) as Notice;
        }
        if ('topic' in notice && !this.closed) this.local.publish(notice.topic, notice.payload);
      } catch (err) {
        this.onError(err);
      }
    });
  }

  private attach(client: pg.Client): void {
    this.listener = client;
    client.on('notification', (msg) => {
      if (msg.channel === EVENT_CHANNEL && msg.payload !== undefined && this.listener === client) this.receive(msg.payload);
    });
    const lost = (err?: unknown) => this.lose(client, err ?? new Error(`event bus ${redactUrl(this.url)}: the listening connection ended`));
    client.on('error', lost); // stays attached: a late 'error' from a dropped client must not crash the process
    client.on('end', () => lost());
  }

  /** The listening connection is gone: report once, end it, and open another with backoff. */
  private lose(client: pg.Client, err: unknown): void {
    if (this.listener !== client) return;
    this.listener = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.report(err);
    this.reconnect(0);
  }

  private reconnect(retries: number): void {
    this.reconnectTimer = setTimeout(async () => {
      try {
        // Bounded by its own connect and query timeouts.
        const client = await openListener(this.url);
        if (this.closed) return void client.end().catch(() => undefined);
        this.attach(client);
        this.reported = false;
      } catch (err) {
        if (this.closed) return;
        this.report(err);
        this.reconnect(retries + 1);
      }
    }, reconnectDelayMs(retries));
  }

  /** A query on the listening connection; a connection that does not answer is treated as lost. */
  private checkListener(): void {
    const client = this.listener;
    if (!client) return;
    client.query('SELECT 1').catch((err: unknown) => this.lose(client, err));
  }

  /** One report per outage, not one per failed publish or reconnect attempt. */
  private report(err: unknown): void {
    if (this.reported) return;
    this.reported = true;
    this.onError(err);
  }
}

/** A client that has run `LISTEN bookgraph_events`; ended again when that fails. */
async function openListener(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: COMMAND_TIMEOUT_MS, keepAlive: true });
  client.on('error', () => undefined); // until attached; connect() and query() reject with the cause
  try {
    await client.connect();
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}
