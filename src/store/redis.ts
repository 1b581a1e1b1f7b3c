import { createClient, type RedisClientType } from 'redis';
import { reasonOf, redactUrl } from './errors.js';
import { COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, type LockSpace, OPEN_TIMEOUT_MS, reconnectDelayMs, type SharedAtomics, withTimeout } from './shared.js';

/**
 * Connects a node-redis client that fails fast and heals itself:
 * - at open, a refused, unreachable or wrong-password server rejects within `OPEN_TIMEOUT_MS` with
 *   one line naming the redacted URL (the first connection is not retried), and a `PING` must answer;
 * - afterwards a lost connection is retried forever with capped backoff (`reconnectDelayMs`), and
 *   while it is down commands are rejected at once (`disableOfflineQueue`) or after
 *   `COMMAND_TIMEOUT_MS` (a server that stopped answering), never queued without bound.
 * `offlineQueue: true` (a pub/sub subscriber, whose few SUBSCRIBEs should wait for the reconnect)
 * keeps the queue and drops the command timeout. `what` names the client in the error.
 */
export async function connectRedis(url: string, opts: { what?: string; offlineQueue?: boolean } = {}): Promise<RedisClientType> {
  let opened = false;
  const client = createClient({
    url,
    disableOfflineQueue: !opts.offlineQueue,
    ...(opts.offlineQueue ? {} : { commandOptions: { timeout: COMMAND_TIMEOUT_MS } }),
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first success, an Error stops the attempt (connect() rejects); then retry forever.
      reconnectStrategy: (retries: number, cause: Error) => (opened ? reconnectDelayMs(retries) : cause),
    },
  }) as RedisClientType;
  client.on('error', () => undefined); // every error also reaches the caller of a command
  const connecting = client.connect();
  connecting.catch(() => undefined);
  try {
    await withTimeout(
      connecting.then(() => client.ping()),
      OPEN_TIMEOUT_MS,
      () => new Error(`no answer within ${OPEN_TIMEOUT_MS} ms`),
    );
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw new Error(`cannot open ${opts.what ?? 'the store'} ${redactUrl(url)}: ${reasonOf(err)}`);
  }
  opened = true;
  return client;
}

/** node-redis errors that mean "the server cannot be reached now", not "the command was wrong". */
const UNREACHABLE = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'SocketClosedUnexpectedlyError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'ReconnectStrategyError',
  'TimeoutError',
  'CommandTimeoutDuringMaintenanceError',
]);

/** Lock and lease keys: `bookgraph:lock:<name>`, `bookgraph:lease:<name>` (one colon: outside keyv's `bookgraph::*`). */
const keyOf = (space: LockSpace, name: string) => `bookgraph:${space}:${name}`;

/** Extends the key's TTL when ARGV[1] holds it (compare and PEXPIRE in one step). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the key when ARGV[1] holds it (compare and DEL in one step). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/**
 * Versioned compare-and-set on a keyv value. KEYS[1] is keyv's key; the stored string is keyv's
 * envelope `{"value":…,"expires":ms}` (an envelope past `expires` counts as absent, as keyv's get
 * treats it). ARGV: expected version ('' = absent), the new envelope, now (ms), PX (0 = no TTL).
 * A stored value without a numeric `version` counts as version 0. Returns 1 when written.
 */
const COMPARE_AND_SET = `
local raw = redis.call('GET', KEYS[1])
local current = nil
if raw then
  local ok, envelope = pcall(cjson.decode, raw)
  current = 0
  if ok and type(envelope) == 'table' then
    if type(envelope['expires']) == 'number' and envelope['expires'] < tonumber(ARGV[3]) then
      current = nil
    elseif type(envelope['value']) == 'table' and type(envelope['value']['version']) == 'number' then
      current = envelope['value']['version']
    end
  end
end
if ARGV[1] == '' then
  if current ~= nil then return 0 end
elseif current == nil or current ~= tonumber(ARGV[1]) then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1`;

/** What the primitives need of a node-redis client (plain, cluster or sentinel: all have these). */
interface RedisCommands {
  readonly isReady: boolean;
  set(key: string, value: string, options: { condition: 'NX'; expiration?: { type: 'PX'; value: number } }): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * The shared primitives of a Redis store. `keyOfValue` maps a store key to the key keyv writes
 * (`bookgraph::<key>`), so values written here are what `get` reads.
 */
export function redisAtomics(client: RedisCommands, keyOfValue: (key: string) => string): SharedAtomics {
  const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));
  return {
    async tryTake(space, name, owner, ttlMs) {
      return (await client.set(keyOf(space, name), owner, { condition: 'NX', expiration: { type: 'PX', value: px(ttlMs) } })) === 'OK';
    },
    async renew(space, name, owner, ttlMs) {
      return Number(await client.eval(RENEW, { keys: [keyOf(space, name)], arguments: [owner, String(px(ttlMs))] })) === 1;
    },
    async release(space, name, owner) {
      return Number(await client.eval(RELEASE, { keys: [keyOf(space, name)], arguments: [owner] })) === 1;
    },
    async setIfAbsent(key, raw, ttlMs) {
      const reply = await client.set(keyOfValue(key), raw, {
        condition: 'NX',
        ...(ttlMs > 0 ? { expiration: { type: 'PX' as const, value: px(ttlMs) } } : {}),
      });
      return reply === 'OK';
    },
    async compareAndSet(key, expectedVersion, raw, ttlMs) {
      const args = [expectedVersion === null ? '' : String(expectedVersion), raw, String(Date.now()), String(ttlMs > 0 ? px(ttlMs) : 0)];
      return Number(await client.eval(COMPARE_AND_SET, { keys: [keyOfValue(key)], arguments: args })) === 1;
    },
    isUnavailable(err) {
      const name = (err as Error | undefined)?.constructor?.name ?? '';
      return !client.isReady || UNREACHABLE.has(name) || /not connected|failed to connect/i.test((err as Error | undefined)?.message ?? '');
    },
  };
}
