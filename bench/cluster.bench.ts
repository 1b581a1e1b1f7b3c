/**
 * `npm run bench:cluster` — several gateway instances on one Redis, measured where they can race:
 * token renewals. Three gateway processes (`bookgraph start`, sandbox mode on standalone emulators,
 * SANDBOX_EMULATORS=external) share Redis database 10 (emptied first) and one set of emulators
 * (`bookgraph sandbox`), each its own OS process.
 *
 * Default scenario, the renewal storm, three runs: every emulator's clock moves +3700 s (the
 * gateways' clocks do not, so their cached access tokens still look valid: the first platform calls
 * get 401 and renew), then 600 concurrent merged `bookings(first: 20)` queries go round robin to the
 * three instances at 50 ms platform latency. Per run: token-endpoint requests per platform and grant
 * type (each emulator's `/__sandbox/stats` delta; goal one renewal per token), connections that went
 * NEEDS_REAUTH (yAppointment revokes the whole grant when a rotated refresh token is presented again;
 * goal 0), client-visible errors (GraphQL `errors` entries and HTTP failures; goal 0), p50/p99 of the
 * storm and the load average.
 *
 * `-- --kill`, ten rounds: after a clock push, with 800 ms of latency on every token endpoint
 * (`POST /__sandbox/faults`), one instance gets the first queries and starts renewing; once a renewal
 * has reached a platform it is SIGKILLed. The platform still rotates the token set after its delay,
 * for nobody: the rotation happened and the gateway never wrote it, the crash window of issue 10.
 * Then queries go through the two others (a query over 30 s counts as hanging), and the connections
 * are counted ACTIVE / NEEDS_REAUTH (with reason). The killed instance is restarted; its demo set-up
 * re-grants what went NEEDS_REAUTH, so every round starts from five ACTIVE connections.
 *
 * `--port-base B` moves the ports (B+1 … B+8). Every child is stopped at the end, on an error and on
 * Ctrl+C, and the ports are checked free.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { createClient } from 'redis';
import { percentile, postOnce, recordErrors, type Target } from './lib/load.js';
import { type Child, findPortBase, sleep, startChild, stopChildrenOnExit } from './lib/processes.js';
import { ROOT, treeState } from './lib/stack.js';

const REDIS = 'redis://127.0.0.1:6379/10';
const INSTANCES = 3;
const STORM = 600;
const RUNS = 3;
const KILL_ROUNDS = 10;
const HANG_MS = 30_000;
const MERGED_20 = '{ bookings(first: 20) { edges { node { id provider startsAt } } } }';
const CONNECTIONS = '{ connections { id provider status statusReason } }';
/** Each platform's token endpoint path, from docs/platforms/<slug>.md. */
const TOKEN_PATHS: Record<string, string> = {
  dayschedule: '/v1/oauth2/token',
  bookingtime: '/oauth/token',
  yappointment: '/oauth/token',
  appointedd: '/v2/oauth/tokens',
  onsched: '/v3/auth/token',
};

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: npm run bench:cluster [-- --kill] [--port-base B]');
  process.exit(0);
}
const KILL = argv.includes('--kill');
const portBaseArg = argv.indexOf('--port-base') >= 0 ? Number(argv[argv.indexOf('--port-base') + 1]) : 6_200;
if (!Number.isInteger(portBaseArg) || portBaseArg <= 0) throw new Error('--port-base needs a positive integer');

let ports: number[] = [];
const cleanup = stopChildrenOnExit({ ports: () => ports, what: 'the emulators and the gateways' });

// ---------------------------------------------------------------------------------------------
// The system

interface Instance {
  index: number;
  url: string;
  child: Child;
}
let emulators: Record<string, string> = {};
let slugs: string[] = [];
let apiKey = '';
let encryptionKey = '';
let portBase = 0;

async function startInstance(index: number): Promise<Instance> {
  const port = portBase + 6 + index;
  const url = `http://127.0.0.1:${port}`;
  const { child } = await startChild(`gateway ${index + 1}`, process.execPath, ['bin/bookgraph.js', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SANDBOX: 'true',
      SANDBOX_EMULATORS: 'external',
      SANDBOX_PORT_BASE: String(portBase),
      STORE_URL: REDIS,
      BOOKGRAPH_ENCRYPTION_KEY: encryptionKey,
      DEMO_API_KEY: apiKey,
      PUBLIC_URL: url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // Every query reaches the platforms (no answer is served from the shared cache).
      RESPONSE_CACHE: 'off',
    },
    ready: /Bookgraph is running/,
    timeoutMs: 120_000,
  });
  return { index, url, child };
}

const target = (i: Instance, query = MERGED_20): Target => ({ url: `${i.url}/graphql`, headers: { authorization: `Bearer ${apiKey}` }, query });

async function control(slug: string, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<any> {
  const res = await fetch(`${emulators[slug]}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${slug} /__sandbox/${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
const controlAll = (path: string, body?: unknown, method?: string) => Promise.all(slugs.map((s) => control(s, path, body, method)));

/** Token-endpoint requests by platform and grant type. */
type Grants = Record<string, Record<string, number>>;
async function grants(): Promise<Grants> {
  const all = (await controlAll('stats')) as Array<{ token: Record<string, number> }>;
  return Object.fromEntries(slugs.map((s, i) => [s, all[i].token]));
}
function grantsSince(before: Grants, after: Grants): Grants {
  return Object.fromEntries(slugs.map((s) => [s, Object.fromEntries(Object.entries(after[s]).map(([g, n]) => [g, n - (before[s][g] ?? 0)]))]));
}
const total = (g: Grants) => Object.values(g).reduce((a, byGrant) => a + Object.values(byGrant).reduce((x, y) => x + y, 0), 0);

interface ConnectionRow {
  id: string;
  provider: string;
  status: string;
  statusReason: string | null;
}
async function connectionsThrough(instance: Instance): Promise<ConnectionRow[]> {
  const res = await postOnce(target(instance, CONNECTIONS), 30_000);
  const body = JSON.parse(res.body) as { data?: { connections: ConnectionRow[] }; errors?: unknown[] };
  if (!body.data) throw new Error(`connections through ${instance.url}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return body.data.connections;
}
const slugOf = (provider: string) => provider.toLowerCase();
function statusLine(rows: ConnectionRow[]): string {
  const active = rows.filter((r) => r.status === 'ACTIVE').length;
  const others = rows
    .filter((r) => r.status !== 'ACTIVE')
    .map((r) => `${r.provider} ${r.status}${r.statusReason ? ` ("${r.statusReason.slice(0, 90)}")` : ''}`);
  return `${active} ACTIVE${others.length ? `; ${others.join('; ')}` : ''}`;
}

/** One query's outcome: its latency, GraphQL `errors` entries, HTTP failure or timeout. */
interface Outcome {
  ms: number;
  errorEntries: number;
  httpFailure: boolean;
  timedOut: boolean;
}
async function query(t: Target, kinds: Map<string, number>, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await postOnce(t, timeoutMs);
    recordErrors(res.status, res.body, kinds);
    let errorEntries = 0;
    try {
      errorEntries = (JSON.parse(res.body) as { errors?: unknown[] }).errors?.length ?? 0;
    } catch {
      errorEntries = 1;
    }
    return { ms: res.ms, errorEntries, httpFailure: res.status !== 200, timedOut: false };
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    const kind = timedOut ? `no answer within ${timeoutMs / 1000} s` : `fetch: ${(err as Error).message}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    return { ms: performance.now() - started, errorEntries: 0, httpFailure: !timedOut, timedOut };
  }
}
/** The error kinds reduced to `code provider`, with counts (for one-line rows). */
function codesNote(kinds: Map<string, number>): string {
  const codes = new Map<string, number>();
  for (const [k, n] of kinds) {
    const m = /^([A-Z_]+): ([A-Za-z]+)/.exec(k);
    const key = m ? `${m[1]} ${m[2]}` : k;
    codes.set(key, (codes.get(key) ?? 0) + n);
  }
  return kindsNote(codes);
}
const kindsNote = (kinds: Map<string, number>) =>
  [...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n}× ${k}`)
    .join('; ');

// ---------------------------------------------------------------------------------------------
// Scenarios

async function storm(instances: Instance[], tokensPerPlatform: Record<string, number>): Promise<void> {
  for (let run = 1; run <= RUNS; run++) {
    await controlAll('clock', { advanceSeconds: 3_700 });
    const before = await grants();
    const kinds = new Map<string, number>();
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: STORM }, (_, i) => query(target(instances[i % INSTANCES]), kinds, 60_000)));
    const seconds = (performance.now() - started) / 1000;
    await sleep(500);
    const delta = grantsSince(before, await grants());
    const rows = await connectionsThrough(instances[0]);
    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const errorEntries = outcomes.reduce((a, o) => a + o.errorEntries, 0);
    const withErrors = outcomes.filter((o) => o.errorEntries > 0).length;
    const httpFailures = outcomes.filter((o) => o.httpFailure || o.timedOut).length;

    console.log('');
    console.log(`Run ${run} of ${RUNS}: emulator clocks +3700 s, then ${STORM} concurrent merged bookings(first: 20), round robin over ${INSTANCES} instances`);
    console.log(`  ${'platform'.padEnd(13)} ${'tokens'.padStart(6)}  ${'grant type'.padEnd(19)} ${'requests'.padStart(8)} ${'per token'.padStart(9)}`);
    for (const slug of slugs) {
      const tokens = tokensPerPlatform[slug] ?? 0;
      const used = Object.entries(delta[slug]).filter(([, n]) => n > 0);
      if (used.length === 0) used.push(['(none)', 0]);
      for (const [grant, n] of used)
        console.log(
          `  ${slug.padEnd(13)} ${String(tokens).padStart(6)}  ${grant.padEnd(19)} ${String(n).padStart(8)} ${(tokens ? n / tokens : Number.NaN).toFixed(2).padStart(9)}`,
        );
    }
    const reauth = rows.filter((r) => r.status === 'NEEDS_REAUTH');
    console.log(`  token-endpoint requests in all: ${total(delta)} (goal: one per token = ${Object.values(tokensPerPlatform).reduce((a, b) => a + b, 0)})`);
    console.log(
      `  connections NEEDS_REAUTH afterwards: ${reauth.length} (goal 0)${reauth.length ? ` — ${reauth.map((r) => `${r.provider}: "${r.statusReason ?? ''}"`).join('; ')}` : ''}`,
    );
    console.log(
      `  client-visible errors: ${errorEntries} GraphQL errors entries in ${withErrors} of ${STORM} answers, ${httpFailures} HTTP failures (goal 0)` +
        (kinds.size ? `\n    ${kindsNote(kinds)}` : ''),
    );
    console.log(
      `  storm latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms; ${seconds.toFixed(1)} s in all; ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
  }
}

async function killRounds(instances: Instance[]): Promise<void> {
  console.log('');
  console.log(
    `${KILL_ROUNDS} rounds: clock +3700 s, 800 ms on every token endpoint, queries to one instance, SIGKILL once its renewals reached the platforms, queries through the other two`,
  );
  console.log(
    `  ${'round'.padEnd(5)} ${'killed'.padEnd(9)}  ${'others: clean answers'.padEnd(21)} ${'hanging'.padStart(7)} ${'renewals after'.padStart(14)}  ${'connections afterwards'.padEnd(46)} renewals in flight at the kill`,
  );
  const totals = { active: 0, reauth: 0, hanging: 0, other: 0 };
  const reasons = new Map<string, number>();
  for (let round = 1; round <= KILL_ROUNDS; round++) {
    const victim = instances[(round - 1) % INSTANCES];
    const others = instances.filter((i) => i !== victim);
    await controlAll('clock', { advanceSeconds: 3_700 });
    await Promise.all(slugs.map((s) => control(s, 'faults', { match: TOKEN_PATHS[s], latencyMs: 800 })));
    const before = await grants();
    // The victim's queries die with it; their outcome does not matter.
    const doomed = Array.from({ length: 5 }, () => postOnce(target(victim), 10_000).catch(() => null));
    let inFlight: Grants = {};
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      inFlight = grantsSince(before, await grants());
      if (total(inFlight) > 0) break;
      await sleep(10);
    }
    // Renewals of the other platforms leave within a few ms of the first: let them reach the
    // platforms too, well inside their 800 ms, then kill.
    await sleep(150);
    inFlight = grantsSince(before, await grants());
    process.kill(victim.child.pid, 'SIGKILL');
    await victim.child.stop();
    await Promise.all(doomed);
    // The platforms finish the delayed requests (and rotate) with nobody listening.
    await sleep(900);
    await controlAll('faults', undefined, 'DELETE');
    const mid = await grants();

    const kinds = new Map<string, number>();
    const outcomes = await Promise.all(others.flatMap((o) => [query(target(o), kinds, HANG_MS), query(target(o), kinds, HANG_MS)]));
    const after = await grants();
    const rows = await connectionsThrough(others[0]);
    const hanging = outcomes.filter((o) => o.timedOut).length;
    const clean = outcomes.filter((o) => !o.timedOut && !o.httpFailure && o.errorEntries === 0).length;
    totals.hanging += hanging;
    for (const r of rows) {
      if (r.status === 'ACTIVE') totals.active++;
      else if (r.status === 'NEEDS_REAUTH') {
        totals.reauth++;
        const key = `${r.provider}: ${r.statusReason ?? '(no reason)'}`;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      } else totals.other++;
    }
    const inFlightNote =
      slugs
        .filter((s) => Object.values(inFlight[s]).some((n) => n > 0))
        .map((s) => `${s} ${Object.values(inFlight[s]).reduce((a, b) => a + b, 0)}`)
        .join(', ') || '(none)';
    const notActive = rows.filter((r) => r.status !== 'ACTIVE').map((r) => `${r.provider} ${r.status}`);
    console.log(
      `  ${String(round).padEnd(5)} ${`gateway ${victim.index + 1}`.padEnd(9)}  ${`${clean} of ${outcomes.length}`.padEnd(21)} ${String(hanging).padStart(7)} ${String(total(grantsSince(mid, after))).padStart(14)}  ` +
        `${[`${rows.length - notActive.length} ACTIVE`, ...notActive].join(', ').padEnd(46)} ${inFlightNote}` +
        (kinds.size ? `\n        errors: ${codesNote(kinds)}` : ''),
    );
    // Restart; its demo set-up re-grants what went NEEDS_REAUTH, so the next round starts clean.
    instances[victim.index] = await startInstance(victim.index);
    const restarted = await connectionsThrough(instances[victim.index]);
    if (restarted.some((r) => r.status !== 'ACTIVE')) console.log(`        after the restart: ${statusLine(restarted)}`);
  }
  const seen = KILL_ROUNDS * 5;
  console.log('');
  console.log(
    'Renewals after: token-endpoint requests while the two others answered. A connection the others could not renew goes NEEDS_REAUTH; ' +
      'the restarted instance re-grants it (its demo set-up) before the next round.',
  );
  console.log(
    `  Over ${KILL_ROUNDS} rounds (${seen} connection-rounds): ${totals.active} stayed ACTIVE, ${totals.reauth} went NEEDS_REAUTH, ${totals.other} other; ${totals.hanging} queries hung (> ${HANG_MS / 1000} s).`,
  );
  for (const [reason, n] of reasons) console.log(`    NEEDS_REAUTH ${n}× — ${reason}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = os.cpus();
  portBase = await findPortBase(portBaseArg, 8);
  ports = Array.from({ length: 8 }, (_, i) => portBase + i + 1);
  apiKey = `bg_${randomBytes(24).toString('base64url')}`;
  encryptionKey = randomBytes(32).toString('base64');
  console.log(
    `Bookgraph cluster benchmark${KILL ? ' (--kill)' : ''} — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ` +
      `load average at start ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(`Code: ${treeState()}.`);
  console.log(`Ports: emulators ${portBase + 1}–${portBase + 5}, gateways ${portBase + 6}–${portBase + 8}; store ${REDIS} (emptied). Starting…`);

  const redis = createClient({ url: REDIS });
  await redis.connect();
  await redis.flushDb();
  await redis.quit();

  const origins = [0, 1, 2].map((i) => `http://127.0.0.1:${portBase + 6 + i}`);
  const sandbox = await startChild('emulators', process.execPath, ['bin/bookgraph.js', 'sandbox'], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_PORT_BASE: String(portBase), SANDBOX_RATE_LIMITS: 'false', SANDBOX_REDIRECT_ORIGINS: origins.join(',') },
    ready: /^\{".*":"http/,
  });
  emulators = JSON.parse(sandbox.readyLine) as Record<string, string>;
  slugs = Object.keys(emulators);
  // All at once: whichever takes the store's lock first sets the demo tenant up, the others find it.
  const instances = await Promise.all([0, 1, 2].map((i) => startInstance(i)));
  await controlAll('latency', { ms: 50 });
  for (const instance of instances) {
    const r = await postOnce(target(instance), 30_000);
    const kinds = new Map<string, number>();
    if (recordErrors(r.status, r.body, kinds) || r.status !== 200) console.log(`  warm-up on gateway ${instance.index + 1}: ${kindsNote(kinds)}`);
  }
  const rows = await connectionsThrough(instances[0]);
  // Token sets per platform: a connection keeps one or more (bookingtime: its app token and the
  // organization's refresh pair), each stored at `token:<connection id>:<name>`.
  const tokensPerPlatform: Record<string, number> = {};
  const redisKeys = createClient({ url: REDIS });
  await redisKeys.connect();
  const tokenKeys = await redisKeys.keys('bookgraph::token:*');
  await redisKeys.quit();
  for (const r of rows) {
    // `r.id` is the connection's global ID: base64url of ["bg1", type, provider, connection id, ref].
    const connectionId = (JSON.parse(Buffer.from(r.id, 'base64url').toString('utf8')) as string[])[3];
    const sets = tokenKeys.filter((k) => k.startsWith(`bookgraph::token:${connectionId}:`)).length;
    tokensPerPlatform[slugOf(r.provider)] = (tokensPerPlatform[slugOf(r.provider)] ?? 0) + sets;
  }
  console.log(
    `Up in ${((performance.now() - started) / 1000).toFixed(1)} s; warmed up (one merged query per instance); demo connections: ${statusLine(rows)}; platform latency 50 ms.`,
  );

  if (KILL) await killRounds(instances);
  else await storm(instances, tokensPerPlatform);

  const warn = instances.reduce((a, i) => a + i.child.count(/"level":40/), 0);
  const error = instances.reduce((a, i) => a + i.child.count(/"level":(50|60)/), 0);
  console.log('');
  console.log(
    "tokens: the demo tenant's token sets per platform (one connection each; keys token:<connection>:<name> in the store). Requests: every token-endpoint request at the platform " +
      '(emulator /__sandbox/stats, by grant_type), whoever sent it.',
  );
  console.log(`Gateway logs (LOG_LEVEL=warn, the instances running at the end): ${warn} warn, ${error} error lines.`);
  const elapsed = (performance.now() - started) / 1000;
  const taken = await cleanup();
  console.log(
    `Run took ${elapsed.toFixed(0)} s; every child stopped; ${taken.length ? `ports still taken: ${taken.join(', ')}.` : `ports ${ports[0]}–${ports[7]} free again.`}`,
  );
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(err instanceof Error ? err.message : err);
    await cleanup();
    process.exit(1);
  },
);
