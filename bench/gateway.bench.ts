/**
 * Measures the gateway alone, next to a bare baseline in the same run, and prints one table.
 *
 *   npm run bench [-- [--quick] [--rounds 7] [--duration 4] [--port-base 5100]]
 *
 * It starts, each as its own process: the five emulators (`bookgraph sandbox`), the gateway
 * (`bookgraph start` in sandbox mode with SANDBOX_EMULATORS=external, so it runs no emulator itself)
 * and the baseline (bench/baseline-server.ts: Apollo Server + type-graphql, 50 bookings in memory).
 * The load generator (autocannon, keep-alive; a node:http open loop for row 5) runs in this process.
 * Upstream calls are deltas of each emulator's `GET /__sandbox/stats`; RSS is the server's VmRSS
 * (peak during the row); load is `os.loadavg()[0]` at the end of the row.
 *
 * Rows, in the order they run (the first query of row 2 must be the first to touch bookings):
 *   2/3  merged `bookings(first: 20)` over five platforms at 50 ms emulator latency: the first query
 *        after start (cold), then one warm query, then warm load at concurrency 4; upstream calls of
 *        the single queries per platform.
 *   1    cached read (Appointedd, 50 bookings + service + customer) at 16 connections, baseline and
 *        gateway in interleaved rounds; medians and the ratios gateway/baseline.
 *   6    merged unbounded `bookings(first: 50)` and a 60-day window variant.
 *   5    1,000 open connections, 200 req/s offered of the cached read (open loop).
 *   4    200 concurrent merged queries right after every token expired (emulator clocks +3700 s).
 * Every child is stopped at the end, on an error and on Ctrl+C, and the ports are checked free.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { benchOptions } from './lib/options.js';
import { closedLoop, type LoadFigures, median, openLoop, postOnce, recordErrors, type Target } from './lib/load.js';
import { type Child, cpuSeconds, establishedAt, findPortBase, stopChildrenOnExit, rssMb, sampleRss, sleep, startChild } from './lib/processes.js';
import { ROOT, startEmulators, startGateway, treeState } from './lib/stack.js';

// ---------------------------------------------------------------------------------------------
// Options

const { quick: QUICK, rounds: ROUNDS, duration: DURATION, portBase: PORT_BASE } = benchOptions(process.argv.slice(2), 'npm run bench', { portBase: 5100 });
/** Seconds of the open-loop row. */
const OPEN_SECONDS = QUICK ? 5 : 10;

const CACHED_READ =
  '{ bookings(first: 50, filter: {providers: [APPOINTEDD]}) { edges { node { id startsAt status service { name } customer { firstName } } } } }';
const MERGED_20 = '{ bookings(first: 20) { edges { node { id provider startsAt } } } }';
const MERGED_50 = '{ bookings(first: 50) { edges { node { id provider startsAt } } } }';
const windowQuery = (now: number) =>
  `{ bookings(first: 50, filter: { startsAfter: "${new Date(now - 30 * 86_400_000).toISOString()}", startsBefore: "${new Date(now + 30 * 86_400_000).toISOString()}" }) { edges { node { id provider startsAt } } } }`;

// ---------------------------------------------------------------------------------------------
// The table

interface Row {
  row: string;
  scenario: string;
  server: string;
  rps?: number;
  p50?: number;
  p99?: number;
  errors?: number;
  /** Upstream API calls per platform, total over the row. */
  api?: number[];
  /** Requests the row's `api` is divided by (1 for a single query). */
  requests?: number;
  grants?: number[];
  rssMb?: number;
  load1?: number;
  note?: string;
}
const rows: Row[] = [];
let slugs: string[] = [];

const fmt = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));
const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const perPlatform = (v: number[] | undefined) => (v ? v.join('/') : '–');
/** Per-request calls of each platform: whole numbers as they are, others with two decimals. */
const perRequestEach = (api: number[] | undefined, requests: number) =>
  api && requests > 0 ? api.map((n) => (n % requests === 0 ? String(n / requests) : (n / requests).toFixed(2))).join('/') : '–';
const ABBREV: Record<string, string> = { dayschedule: 'ds', bookingtime: 'bt', yappointment: 'ya', appointedd: 'ap', onsched: 'os' };

function printTable(): void {
  const order = ['1', '2', '3', '4', '5', '6'];
  const sorted = [...rows].sort((a, b) => order.indexOf(a.row[0]) - order.indexOf(b.row[0]));
  const platforms = slugs.map((s) => ABBREV[s] ?? s.slice(0, 2)).join('/');
  const header = [
    '#',
    'scenario',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    `api calls/req ${platforms}`,
    `token grants ${platforms}`,
    'RSS MB',
    'load1',
    'notes',
  ];
  const ratio = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : `×${v.toFixed(2)}`);
  const cells = sorted.map((r) => [
    r.row,
    r.scenario,
    r.server,
    r.server === 'ratio' ? ratio(r.rps) : r.rps === undefined ? '–' : r.rps < 10 ? r.rps.toFixed(2) : fmt(r.rps),
    r.server === 'ratio' ? ratio(r.p50) : ms(r.p50),
    r.server === 'ratio' ? ratio(r.p99) : ms(r.p99),
    r.errors === undefined ? '–' : String(r.errors),
    perRequestEach(r.api, r.requests ?? 1),
    perPlatform(r.grants),
    fmt(r.rssMb),
    fmt(r.load1, 2),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const right = new Set([3, 4, 5, 6, 7, 8, 9, 10]);
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : right.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w, i) => (i === widths.length - 1 ? '-----' : '-'.repeat(w))).join('  '));
  let previous = '';
  for (let i = 0; i < cells.length; i++) {
    if (previous && sorted[i].row[0] !== previous) console.log('');
    previous = sorted[i].row[0];
    console.log(line(cells[i]));
  }
}

const kindsNote = (kinds: Map<string, number>) =>
  [...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n}× ${k}`)
    .join('; ');

// ---------------------------------------------------------------------------------------------
// Processes and the emulators' control API

let gateway: Child | undefined;
let baseline: Child | undefined;
let emulators: Record<string, string> = {};
let ports: number[] = [];
/** Stops every child; resolves with the ports still taken afterwards (none, normally). */
const cleanup = stopChildrenOnExit({ ports: () => ports, what: 'the emulators, the gateway and the baseline' });

async function control(slug: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emulators[slug]}/__sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${slug} /__sandbox/${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
const controlAll = (path: string, body?: unknown) => Promise.all(slugs.map((s) => control(s, path, body)));

interface Counters {
  api: number;
  grants: number;
  unauthorized: number;
}
async function snapshot(): Promise<Counters[]> {
  const all = (await controlAll('stats')) as Array<{ api: number; token: Record<string, number>; unauthorized: number }>;
  return all.map((s) => ({ api: s.api, grants: Object.values(s.token).reduce((a, b) => a + b, 0), unauthorized: s.unauthorized }));
}
async function since(before: Counters[]): Promise<{ api: number[]; grants: number[]; unauthorized: number[] }> {
  const after = await snapshot();
  return {
    api: after.map((a, i) => a.api - before[i].api),
    grants: after.map((a, i) => a.grants - before[i].grants),
    unauthorized: after.map((a, i) => a.unauthorized - before[i].unauthorized),
  };
}
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const load0 = os.loadavg();
  const cpu = os.cpus();
  const base = await findPortBase(PORT_BASE, 9);
  const gatewayPort = base + 8;
  const baselinePort = base + 9;
  ports = [1, 2, 3, 4, 5].map((i) => base + i).concat(gatewayPort, baselinePort);
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const apiKey = `bench_${randomBytes(24).toString('hex')}`;

  console.log(
    `Bookgraph gateway benchmark — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ` +
      `load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}${QUICK ? ' — QUICK run' : ''}`,
  );
  console.log(
    `Ratios and counts matter, not absolute times: ${cpu.length} shared cores run the emulators, the gateway, the baseline and the load generator together.`,
  );
  console.log(`Code: ${treeState()}.`);
  console.log(`Ports: emulators ${base + 1}–${base + 5}, gateway ${gatewayPort}, baseline ${baselinePort}. Starting…`);

  emulators = await startEmulators(base, gatewayOrigin);
  slugs = Object.keys(emulators);

  const [gw, bl] = await Promise.all([
    startGateway({ base, port: gatewayPort, apiKey }),
    // `node --import tsx` rather than `npx tsx` so that the pid is the server's own (RSS, signals).
    startChild('baseline', process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, BASELINE_PORT: String(baselinePort) },
      ready: /baseline listening/,
    }),
  ]);
  gateway = gw;
  baseline = bl.child;
  const gatewayPid = gateway.pid;
  const baselinePid = baseline.pid;
  console.log(`Started in ${((performance.now() - started) / 1000).toFixed(1)} s (gateway pid ${gatewayPid}, RSS ${fmt(rssMb(gatewayPid))} MB).`);

  const onGateway = (query: string): Target => ({ url: `${gatewayOrigin}/graphql`, headers: { authorization: `Bearer ${apiKey}` }, query });
  const onBaseline = (query: string): Target => ({ url: `http://127.0.0.1:${baselinePort}/graphql`, headers: {}, query });

  // Every platform connected before anything is measured.
  let statuses = '';
  for (let attempt = 0; ; attempt++) {
    const res = await postOnce(onGateway('{ connections { provider status } }'));
    const parsed = JSON.parse(res.body) as { data?: { connections: Array<{ provider: string; status: string }> } };
    const list = parsed.data?.connections ?? [];
    statuses = list.map((c) => `${c.provider} ${c.status}`).join(', ');
    if (list.length === slugs.length && list.every((c) => c.status === 'ACTIVE')) break;
    if (attempt >= 20) throw new Error(`the demo tenant is not ACTIVE on every platform: ${statuses || res.body}`);
    await sleep(500);
  }
  console.log(`Connections: ${statuses}.`);
  const progress = (what: string) => console.log(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);

  // --- Rows 2 and 3: merged first: 20 at 50 ms per platform call -------------------------------
  await controlAll('latency', { ms: 50 });
  progress('row 2/3: merged bookings(first: 20), every emulator at 50 ms');
  /** A closed-loop row against the gateway (4 connections, DURATION + 1 s), with its upstream calls and grants. */
  const closedLoopRow = async (row: string, scenario: string, query: string, note: (d: Awaited<ReturnType<typeof since>>, f: LoadFigures) => string) => {
    const before = await snapshot();
    const rss = sampleRss(gatewayPid);
    const f = await closedLoop(onGateway(query), 4, DURATION + 1);
    const d = await since(before);
    rows.push({
      row,
      scenario,
      server: 'gateway',
      ...figures(f),
      api: d.api,
      requests: f.sent,
      grants: d.grants,
      rssMb: rss.stop(),
      load1: os.loadavg()[0],
      note: `${note(d, f)}${f.errors ? `; ${kindsNote(f.kinds)}` : ''}`,
    });
  };
  const single = async (label: string, scenario: string) => {
    const before = await snapshot();
    const res = await postOnce(onGateway(MERGED_20));
    const d = await since(before);
    const kinds = new Map<string, number>();
    const failed = recordErrors(res.status, res.body, kinds) || res.status !== 200;
    const edges = (JSON.parse(res.body) as { data?: { bookings?: { edges: unknown[] } } }).data?.bookings?.edges.length ?? 0;
    rows.push({
      row: label,
      scenario,
      server: 'gateway',
      p50: res.ms,
      p99: res.ms,
      errors: failed ? 1 : 0,
      api: d.api,
      grants: d.grants,
      rssMb: rssMb(gatewayPid),
      load1: os.loadavg()[0],
      note: `${edges} edges; ${sum(d.api)} api calls${kinds.size ? `; ${kindsNote(kinds)}` : ''}`,
    });
  };
  await single('2/3', 'merged first:20 @50ms: first query after start (cold)');
  await single('2/3', 'merged first:20 @50ms: next single query (warm)');
  await closedLoopRow('2', `merged first:20 @50ms: warm, 4 connections, ${DURATION + 1} s`, MERGED_20, (d) => `${sum(d.api)} api calls in all`);
  await controlAll('latency', { ms: 0 });

  // --- Row 1: cached read, baseline and gateway interleaved ----------------------------------
  progress(`row 1: cached read at 16 connections, ${ROUNDS} interleaved rounds of ${DURATION} s (after a warm-up)`);
  await closedLoop(onBaseline(CACHED_READ), 16, QUICK ? 1 : 2);
  await closedLoop(onGateway(CACHED_READ), 16, QUICK ? 1 : 2);
  const rounds = { baseline: [] as LoadFigures[], gateway: [] as LoadFigures[] };
  const loads = { baseline: [] as number[], gateway: [] as number[] };
  const peaks = { baseline: 0, gateway: 0 };
  const cpuUsed = { baseline: 0, gateway: 0 };
  const before1 = await snapshot();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, target, pid] of [
      ['baseline', onBaseline(CACHED_READ), baselinePid],
      ['gateway', onGateway(CACHED_READ), gatewayPid],
    ] as const) {
      const rss = sampleRss(pid);
      const cpu0 = cpuSeconds(pid);
      rounds[name].push(await closedLoop(target, 16, DURATION));
      cpuUsed[name] += cpuSeconds(pid) - cpu0;
      peaks[name] = Math.max(peaks[name], rss.stop());
      loads[name].push(os.loadavg()[0]);
    }
  }
  const d1 = await since(before1);
  const med = (list: LoadFigures[], k: 'rps' | 'p50' | 'p99') => median(list.map((f) => f[k]));
  for (const name of ['baseline', 'gateway'] as const) {
    const list = rounds[name];
    const rps = list.map((f) => f.rps);
    const errors = sum(list.map((f) => f.errors));
    const kinds = new Map<string, number>();
    for (const f of list) for (const [k, n] of f.kinds) kinds.set(k, (kinds.get(k) ?? 0) + n);
    const requests = sum(list.map((f) => f.requests));
    const sent = sum(list.map((f) => f.sent));
    rows.push({
      row: '1',
      scenario: `cached read, 16 connections, median of ${ROUNDS} × ${DURATION} s`,
      server: name,
      rps: med(list, 'rps'),
      p50: med(list, 'p50'),
      p99: med(list, 'p99'),
      errors,
      api: name === 'gateway' ? d1.api : undefined,
      requests: sum(list.map((f) => f.sent)),
      grants: name === 'gateway' ? d1.grants : undefined,
      rssMb: peaks[name],
      load1: median(loads[name]),
      note:
        `rounds ${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))} req/s; ${requests} requests; CPU ${((1000 * cpuUsed[name]) / Math.max(1, sent)).toFixed(2)} ms/req` +
        (name === 'gateway' ? `; ${sum(d1.api)} api calls in all` : '') +
        (errors ? `; ${kindsNote(kinds)}` : ''),
    });
  }
  const ratioRps = med(rounds.gateway, 'rps') / med(rounds.baseline, 'rps');
  const ratioP99 = med(rounds.gateway, 'p99') / med(rounds.baseline, 'p99');
  const cpuPerReq = (name: 'baseline' | 'gateway') => cpuUsed[name] / Math.max(1, sum(rounds[name].map((f) => f.sent)));
  rows.push({
    row: '1',
    scenario: 'cached read: ratio gateway / baseline',
    server: 'ratio',
    rps: ratioRps,
    p50: med(rounds.gateway, 'p50') / med(rounds.baseline, 'p50'),
    p99: ratioP99,
    note: `CPU per request ×${(cpuPerReq('gateway') / cpuPerReq('baseline')).toFixed(2)}`,
  });

  // --- Row 6: merged unbounded and 60-day window ----------------------------------------------
  for (const [scenario, query] of [
    ['merged first:50, unbounded, 4 connections', MERGED_50],
    ['merged first:50, 60-day window, 4 connections', windowQuery(Date.now())],
  ] as const) {
    progress(`row 6: ${scenario}`);
    const probe = await postOnce(onGateway(query));
    const edges = (JSON.parse(probe.body) as { data?: { bookings?: { edges: unknown[] } } }).data?.bookings?.edges.length ?? 0;
    await closedLoopRow('6', `${scenario}, ${DURATION + 1} s`, query, (d, f) => `${edges} edges; ${perRequest(d.api, f)} api calls/req in all`);
  }

  // --- Row 5: 1,000 open connections at 200 req/s offered --------------------------------------
  for (const [name, target, pid, port] of [
    ['baseline', onBaseline(CACHED_READ), baselinePid, baselinePort],
    ['gateway', onGateway(CACHED_READ), gatewayPid, gatewayPort],
  ] as const) {
    progress(`row 5: ${name}, 1,000 connections, 200 req/s offered for ${OPEN_SECONDS} s (after opening them at that rate)`);
    const before = await snapshot();
    const rss = sampleRss(pid);
    const f = await openLoop(target, { connections: 1_000, rate: 200, seconds: OPEN_SECONDS, timeoutMs: 10_000, openAt: () => establishedAt(port) });
    const d = await since(before);
    rows.push({
      row: '5',
      scenario: `1,000 connections, 200 req/s offered, ${OPEN_SECONDS} s`,
      server: name,
      ...figures(f),
      api: name === 'gateway' ? d.api : undefined,
      requests: f.sent + f.opening,
      grants: name === 'gateway' ? d.grants : undefined,
      rssMb: rss.stop(),
      load1: os.loadavg()[0],
      note:
        `served ${f.servedPct.toFixed(1)}% of ${f.offered}; non-2xx ${f.non2xx}, timeouts ${f.timeouts}, socket errors ${f.socketErrors}; ` +
        `${f.connects} reconnects, peak ${f.peakOpen} open at the server` +
        (f.kinds.size ? `; ${kindsNote(f.kinds)}` : ''),
    });
  }

  // --- Row 4: 200 concurrent merged queries right after every token expired -------------------
  progress('row 4: every emulator clock +3700 s, then 200 concurrent merged queries');
  {
    await controlAll('clock', { advanceSeconds: 3_700 });
    const before = await snapshot();
    const rss = sampleRss(gatewayPid);
    const kinds = new Map<string, number>();
    const latencies: number[] = [];
    let errors = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        try {
          const res = await postOnce(onGateway(MERGED_20), 30_000);
          latencies.push(res.ms);
          if (recordErrors(res.status, res.body, kinds) || res.status !== 200) errors++;
        } catch (err) {
          errors++;
          const k = (err as Error).name === 'TimeoutError' ? 'timeout' : `fetch: ${(err as Error).message}`;
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    const d = await since(before);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))];
    rows.push({
      row: '4',
      scenario: '200 concurrent merged first:20 after every token expired',
      server: 'gateway',
      rps: latencies.length / seconds,
      p50: pct(50),
      p99: pct(99),
      errors,
      api: d.api,
      requests: 200,
      grants: d.grants,
      rssMb: rss.stop(),
      load1: os.loadavg()[0],
      note: `401s from platforms ${d.unauthorized.join('/')}${kinds.size ? `; errors: ${kindsNote(kinds)}` : '; no errors'}`,
    });
  }

  const warnLines = gateway.count(/"level":40/);
  const errorLines = gateway.count(/"level":(50|60)/);
  console.log('');
  printTable();
  console.log('');
  console.log(
    `api calls / token grants: deltas of each emulator's /__sandbox/stats over the row (grants = every grant type). ` +
      `Latencies: load generator, request write to last byte. RSS: peak VmRSS of the server measured.`,
  );
  console.log(
    'Row 5: open loop, each request on one of 1,000 keep-alive connections picked at random; the generator closes a connection idle for 4 s ' +
      "(the server's Keep-Alive: timeout=5 less 1 s), hence the reconnects. Served = 2xx answers without GraphQL errors per second / offered rate.",
  );
  console.log(`Gateway log during the run: ${warnLines} warn, ${errorLines} error lines (LOG_LEVEL=warn).`);
  const elapsed = (performance.now() - started) / 1000;
  const taken = await cleanup();
  console.log(
    `Run took ${elapsed.toFixed(0)} s; every child stopped; ` +
      (taken.length ? `ports still taken: ${taken.join(', ')}.` : `ports ${ports[0]}–${ports[4]}, ${gatewayPort}, ${baselinePort} free again.`),
  );
}

function figures(f: LoadFigures): Pick<Row, 'rps' | 'p50' | 'p99' | 'errors'> {
  return { rps: f.rps, p50: f.p50, p99: f.p99, errors: f.errors };
}
function perRequest(api: number[], f: LoadFigures): string {
  return f.sent ? (sum(api) / f.sent).toFixed(2) : '–';
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    if (gateway && !gateway.exited()) console.error(`--- gateway output ---\n${gateway.tail()}`);
    if (baseline && !baseline.exited()) console.error(`--- baseline output ---\n${baseline.tail()}`);
    await cleanup();
    process.exit(1);
  },
);
