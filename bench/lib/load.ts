import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

// autocannon is CommonJS without types; this is the part of its programmatic API used here.
type Autocannon = (
  opts: Record<string, unknown>,
  cb: (
    err: Error | null,
    result: { errors: number; timeouts: number; non2xx: number; duration: number; statusCodeStats: Record<string, { count: number }> },
  ) => void,
) => EventEmitter & { stop(): void };
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** A GraphQL POST: where, with which headers, which query. */
export interface Target {
  url: string;
  headers: Record<string, string>;
  query: string;
}

/** Figures of one load run. Latencies in ms, measured by the load generator from request write to last byte. */
export interface LoadFigures {
  /** Requests answered within the run. */
  requests: number;
  /** Requests sent, including those still in flight when a closed loop stops (they reach the server, and its upstream). */
  sent: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Failed requests: socket errors, timeouts, non-2xx answers and 2xx answers carrying GraphQL `errors`. */
  errors: number;
  socketErrors: number;
  timeouts: number;
  non2xx: number;
  graphqlErrors: number;
  /** `extensions.code: message` of the GraphQL errors (and `HTTP <status>` of non-2xx answers), with counts. */
  kinds: Map<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Adds the error kinds of one answer's body to `kinds`; returns whether it carried GraphQL errors. */
export function recordErrors(status: number, body: string, kinds: Map<string, number>): boolean {
  const add = (k: string) => kinds.set(k, (kinds.get(k) ?? 0) + 1);
  if (status < 200 || status > 299) add(`HTTP ${status}`);
  if (!body.includes('"errors"')) return false;
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ message?: string; extensions?: { code?: string } }> };
    if (!parsed.errors?.length) return false;
    for (const e of parsed.errors) add(`${e.extensions?.code ?? 'NO_CODE'}: ${(e.message ?? '').slice(0, 120)}`);
    return status >= 200 && status <= 299;
  } catch {
    add('unparseable body');
    return status >= 200 && status <= 299;
  }
}

/**
 * Closed loop with autocannon: `connections` keep-alive connections, each sending its next request
 * as soon as the previous answer arrived, for `seconds`. Requests still in flight at the end are not counted.
 */
export function closedLoop(target: Target, connections: number, seconds: number, timeoutSeconds = 10): Promise<LoadFigures> {
  const latencies: number[] = [];
  const kinds = new Map<string, number>();
  let graphqlErrors = 0;
  const body = JSON.stringify({ query: target.query });
  const headers = { 'content-type': 'application/json', ...target.headers };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        timeout: timeoutSeconds,
        requests: [
          {
            method: 'POST',
            headers,
            body,
            onResponse: (status: number, resBody: string) => {
              if (recordErrors(status, resBody, kinds)) graphqlErrors++;
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        const timeouts = result.timeouts;
        const socketErrors = result.errors - result.timeouts;
        if (timeouts) kinds.set('timeout', timeouts);
        if (socketErrors) kinds.set('socket error', socketErrors);
        resolve({
          requests: latencies.length,
          // Each connection has one request in flight when the run stops (pipelining 1).
          sent: latencies.length + result.errors + connections,
          seconds: result.duration,
          rps: latencies.length / result.duration,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          errors: result.errors + result.non2xx + graphqlErrors,
          socketErrors,
          timeouts,
          non2xx: result.non2xx,
          graphqlErrors,
          kinds,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
}

export interface OpenLoopFigures extends LoadFigures {
  offered: number;
  /**
   * Served rate as a share of the offered rate, in %: answers with a 2xx and no GraphQL error per
   * second (from the first request to the last answer) over `rate`.
   */
  servedPct: number;
  /** Requests sent to open the connections before the measured window (answered, not counted above). */
  opening: number;
  /** TCP connections the generator opened during the measured window (idle keep-alive ones are closed). */
  connects: number;
  /** Peak of ESTABLISHED connections at the server's port, when a sampler was given. */
  peakOpen: number;
}

/**
 * Open loop: `rate` requests per second offered on a fixed schedule for `seconds`, whatever the
 * answers' latency, over `connections` keep-alive connections (one `http.Agent` with one socket
 * each; every request goes to a connection picked at random, and queues on it if that one is busy).
 * The connections are opened first (one request each, at the same rate by default, not counted). A
 * request with no answer after `timeoutMs` is aborted and counted as a timeout.
 */
export async function openLoop(
  target: Target,
  options: { connections: number; rate: number; seconds: number; timeoutMs?: number; rampSeconds?: number; openAt?: () => number },
): Promise<OpenLoopFigures> {
  const { connections, rate, seconds, timeoutMs = 10_000, rampSeconds = connections / rate } = options;
  const url = new URL(target.url);
  const body = JSON.stringify({ query: target.query });
  // `timeout` makes the agent honour the server's `Keep-Alive: timeout=N` hint (closing idle sockets
  // a second before the server would), which avoids resets on reuse of a socket the server is closing.
  const agents = Array.from({ length: connections }, () => new Agent({ keepAlive: true, maxSockets: 1, timeout: 60_000 }));
  let connects = 0;
  for (const a of agents) {
    const create = a.createConnection.bind(a);
    a.createConnection = ((...args: Parameters<typeof create>) => {
      connects++;
      return create(...args);
    }) as typeof a.createConnection;
  }
  const send = (agent: Agent) =>
    new Promise<{ status: number; body: string; ms: number } | { error: 'timeout' | 'socket'; ms: number }>((resolve) => {
      const started = performance.now();
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...target.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
          });
          res.on('error', () => undefined);
        },
      );
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      req.on('error', () => {
        clearTimeout(timer);
        resolve({ error: timedOut ? 'timeout' : 'socket', ms: performance.now() - started });
      });
      req.end(body);
    });

  // Open every connection.
  const ramp: Array<Promise<unknown>> = [];
  const rampGap = (rampSeconds * 1000) / connections;
  const rampStart = performance.now();
  for (let i = 0; i < connections; i++) {
    const due = rampStart + i * rampGap;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    ramp.push(send(agents[i]));
  }
  await Promise.all(ramp);
  connects = 0;

  const latencies: number[] = [];
  const kinds = new Map<string, number>();
  let socketErrors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let answered = 0;
  let served = 0;
  let peakOpen = 0;
  const openSampler = options.openAt ? setInterval(() => (peakOpen = Math.max(peakOpen, (options.openAt as () => number)())), 250) : null;
  const offered = Math.round(rate * seconds);
  const inflight: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < offered; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const agent = agents[Math.floor(Math.random() * connections)];
    inflight.push(
      send(agent).then((r) => {
        if ('error' in r) {
          if (r.error === 'timeout') timeouts++;
          else socketErrors++;
          kinds.set(r.error, (kinds.get(r.error) ?? 0) + 1);
          return;
        }
        answered++;
        latencies.push(r.ms);
        if (r.status < 200 || r.status > 299) non2xx++;
        const failed = recordErrors(r.status, r.body, kinds);
        if (failed) graphqlErrors++;
        if (!failed && r.status >= 200 && r.status <= 299) served++;
      }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  if (openSampler) clearInterval(openSampler);
  for (const a of agents) a.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: answered,
    sent: offered,
    seconds: elapsed,
    rps: answered / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: socketErrors + timeouts + non2xx + graphqlErrors,
    socketErrors,
    timeouts,
    non2xx,
    graphqlErrors,
    kinds,
    offered,
    opening: connections,
    servedPct: (100 * served) / elapsed / rate,
    connects,
    peakOpen,
  };
}

/** One GraphQL POST with fetch; latency in ms. */
export async function postOnce(target: Target, timeoutMs = 60_000): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify({ query: target.query }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body };
}
