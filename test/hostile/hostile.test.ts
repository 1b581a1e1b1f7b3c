import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { decodeId } from '../../src/gateway/ids.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type HostileCase, hostileCases, type Seeds } from './cases.js';

/**
 * Hostile requests against a real gateway over HTTP (issue 11), each case on its own: no crash
 * (`/healthz` answers after every batch), no INTERNAL_SERVER_ERROR, a known `extensions.code` on
 * every error, no answer over the size bound, the heap under 300 MB after every batch, and the upstream calls
 * of every accepted request (summed over the five emulators' `api` counters) within what the cost
 * limit promises. Prints the figures.
 */

/**
 * Cases that fail today for reasons another part of issue 11 is fixing (strict IDs and cursors):
 * they still run, and must not crash, exceed the size bound or the memory bound, but their codes
 * are not asserted. The one place to shorten when that work lands.
 */
const AWAITING_STRICT_IDS_AND_CURSORS = new Set<string>([]);

const MAX_HEAP_BYTES = 300 * 1024 * 1024;

/**
 * A full collection between batches. The gateway shares this process with vitest, the five
 * emulators and the client (about 190 MB before the first case), and V8 collects large strings only
 * in full collections, which it may postpone by hundreds of MB: without this the peak measures the
 * collector's laziness rather than what the gateway holds. Within a batch nothing is forced.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const BATCH = 50;

interface Outcome {
  status: number;
  bytes: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, any> }> } | null;
  ms: number;
  calls: number;
  networkError?: string;
}

let tg: TestGateway;
let cases: HostileCase[] = [];
let peakRss = 0;
let sampler: NodeJS.Timeout;
const outcomes = new Map<HostileCase, Outcome>();

const emulatorOrigins = () => Object.values(tg.emulators) as string[];
const upstreamCalls = async () => (await Promise.all(emulatorOrigins().map((o) => sandbox(o, 'stats')))).reduce((sum, s) => sum + (s.api as number), 0);

function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

async function send(c: HostileCase): Promise<Outcome> {
  const started = performance.now();
  const before = await upstreamCalls();
  const method = c.raw?.method ?? 'POST';
  const contentType = c.raw ? c.raw.contentType : 'application/json';
  const body = c.gql ? JSON.stringify(c.gql) : c.raw?.body;
  const headers: Record<string, string> = { authorization: `Bearer ${tg.demoKey}`, 'apollo-require-preflight': 'true' };
  if (contentType) headers['content-type'] = contentType;
  let status = 0;
  let text: Buffer = Buffer.alloc(0);
  let networkError: string | undefined;
  try {
    const res = await fetch(`${tg.url}/graphql${c.raw?.search ?? ''}`, {
      method,
      headers,
      body: method === 'GET' || method === 'DELETE' ? undefined : typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
      signal: AbortSignal.timeout(20_000),
    });
    status = res.status;
    text = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    networkError = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
  }
  sampleRss();
  let parsed: Outcome['body'] = null;
  try {
    parsed = text.length ? (JSON.parse(text.toString('utf8')) as Outcome['body']) : null;
  } catch {
    parsed = null;
  }
  const calls = (await upstreamCalls()) - before;
  return { status, bytes: text.length, body: parsed, ms: performance.now() - started, calls, networkError };
}

/** What is wrong with an outcome; empty when the case holds. */
function problems(c: HostileCase, o: Outcome): string[] {
  const out: string[] = [];
  const lenient = AWAITING_STRICT_IDS_AND_CURSORS.has(`${c.group}: ${c.name}`);
  if (o.bytes > DEFAULT_LIMITS.maxResponseBytes) out.push(`answer of ${o.bytes} bytes`);
  if (o.networkError) {
    // A body far over the request limit may be cut off once refused; anything else must be answered.
    if (!(c.group === 'bodies' && /oversized/.test(c.name))) out.push(`no answer: ${o.networkError}`);
    return out;
  }
  if (o.status >= 500) out.push(`HTTP ${o.status}`);
  if (c.httpStatus) {
    if (o.status !== c.httpStatus) out.push(`expected HTTP ${c.httpStatus}, got ${o.status}`);
    return out;
  }
  if (!o.body) {
    out.push(`HTTP ${o.status} with a body that is not JSON`);
    return out;
  }
  const errors = o.body.errors ?? [];
  const codes = errors.map((e) => e.extensions?.code);
  if (!lenient) {
    for (const code of codes) {
      if (code === 'INTERNAL_SERVER_ERROR') out.push('INTERNAL_SERVER_ERROR');
      else if (typeof code !== 'string' || !Object.hasOwn(ERROR_CODES, code)) out.push(`untyped error ${JSON.stringify(code)}`);
    }
    if (c.expect === 'ok' && (errors.length > 0 || o.body.data == null)) out.push(`expected data, got ${JSON.stringify(errors.slice(0, 2))}`);
    if (c.expect === 'refused') {
      if (errors.length === 0) out.push('expected a refusal, got data');
      else if (c.codes && !codes.some((code) => c.codes?.includes(code)))
        out.push(`expected ${c.codes.join('|')}, got ${codes.join(',')}: ${errors[0].message.slice(0, 200)}`);
    }
  }
  // A refusal by the operation limits names the limit and happens before any platform call.
  for (const e of errors) {
    if (e.extensions?.code === 'QUERY_TOO_COMPLEX') {
      if (typeof e.extensions.limit?.name !== 'string' || typeof e.extensions.limit?.max !== 'number') out.push('QUERY_TOO_COMPLEX without extensions.limit');
      if (o.calls > 0) out.push(`refused but ${o.calls} upstream calls`);
    }
  }
  return out;
}

beforeAll(async () => {
  // Platform rate limits off: the suite measures what the gateway lets through, not 429s.
  tg = await startTestGateway({ env: { SANDBOX_RATE_LIMITS: 'false' } });
  sampler = setInterval(sampleRss, 20);
  const conns = await gql(tg.url, tg.demoKey, '{ connections { id provider organizations { id } } }');
  const b = await gql(tg.url, tg.demoKey, '{ bookings(first: 3) { edges { cursor node { id } } } }');
  const cu = await gql(tg.url, tg.demoKey, '{ customers(first: 3) { edges { cursor } } }');
  const seeds: Seeds = {
    connectionIds: conns.body.data.connections.map((c: { id: string }) => decodeId(c.id)?.connectionId as string),
    connections: conns.body.data.connections.map((c: { id: string; provider: string }) => ({
      provider: c.provider,
      connectionId: decodeId(c.id)?.connectionId as string,
    })),
    organizationId: conns.body.data.connections.flatMap((c: { organizations: Array<{ id: string }> }) => c.organizations)[0].id,
    bookingCursor: b.body.data.bookings.edges[0].cursor,
    bookingId: b.body.data.bookings.edges[0].node.id,
    listCursor: cu.body.data.customers.edges[0].cursor,
  };
  cases = hostileCases(seeds);
  if (process.env.HOSTILE_TRACE) console.log(`baseline ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
  sampleRss();
});

afterAll(async () => {
  clearInterval(sampler);
  await tg?.close();
});

describe('hostile requests', () => {
  it('are at least 1 000 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1_000);
  });

  it('every case holds: answered, typed, bounded in size, memory and upstream calls', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += BATCH) {
      for (const c of cases.slice(i, i + BATCH)) {
        const o = await send(c);
        if (process.env.HOSTILE_TRACE) {
          const m = process.memoryUsage();
          console.log(
            `${(m.rss / 1048576).toFixed(0)} MB heap ${(m.heapUsed / 1048576).toFixed(0)}/${(m.heapTotal / 1048576).toFixed(0)} ext ${(m.external / 1048576).toFixed(0)} ab ${(m.arrayBuffers / 1048576).toFixed(0)} ${o.ms.toFixed(0)} ms ${o.calls} calls ${o.bytes} B ${c.group}: ${c.name.slice(0, 80)}`,
          );
        }
        outcomes.set(c, o);
        for (const p of problems(c, o)) failures.push(`${c.group}: ${c.name}: ${p}`);
      }
      collect();
      const health = await fetch(`${tg.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(health.status, `healthz after case ${i + BATCH}`).toBe(200);
      // What the gateway holds after each batch (this worker's heap after a full collection): RSS is
      // printed, not asserted, since it counts the whole test process and what V8 has yet to return.
      if (!process.env.HOSTILE_TRACE) expect(process.memoryUsage().heapUsed).toBeLessThan(MAX_HEAP_BYTES);
    }
    const accepted = [...outcomes].filter(([, o]) => o.body?.data != null);
    const worst = accepted.reduce((w, x) => (x[1].calls > w[1].calls ? x : w), accepted[0]);
    const slowest = [...outcomes].reduce((w, x) => (x[1].ms > w[1].ms ? x : w));
    const refused = [...outcomes].filter(([, o]) => o.body?.errors?.some((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX')).length;
    const biggest = Math.max(...[...outcomes.values()].map((o) => o.bytes));
    const byGroup = new Map<string, number>();
    for (const c of cases) byGroup.set(c.group, (byGroup.get(c.group) ?? 0) + 1);
    console.log(
      [
        `hostile suite: ${cases.length} cases (${[...byGroup].map(([g, n]) => `${g} ${n}`).join(', ')})`,
        `  accepted (answered data) ${accepted.length}, refused by an operation limit ${refused}, failures ${failures.length}`,
        `  worst upstream calls of an accepted request: ${worst[1].calls} (${worst[0].group}: ${worst[0].name}); cost limit ${DEFAULT_LIMITS.maxCost}`,
        `  peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB (heap after each batch bounded by ${MAX_HEAP_BYTES / 1024 / 1024} MB); largest answer ${biggest} bytes (bound ${DEFAULT_LIMITS.maxResponseBytes})`,
        `  slowest case ${slowest[1].ms.toFixed(0)} ms (${slowest[0].group}: ${slowest[0].name})`,
        `  awaiting strict IDs and cursors: ${AWAITING_STRICT_IDS_AND_CURSORS.size}`,
        `  heap after the last batch ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
      ].join('\n'),
    );
    expect(failures).toEqual([]);
    expect(worst[1].calls).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
  });

  for (const name of AWAITING_STRICT_IDS_AND_CURSORS) it.todo(`typed refusal once strict IDs and cursors land: ${name}`);
});
