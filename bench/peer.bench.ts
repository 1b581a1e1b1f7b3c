/**
 * Bookgraph next to a peer gateway, Hive Gateway, on the same read against the same OnSched
 * emulator, in interleaved rounds, and prints one table.
 *
 *   npm run bench:peer [-- [--quick] [--rounds 7] [--duration 4] [--port-base 5200]]
 *
 * The read: one company's appointments (Harbor Physio, 48 in the seed) with their service name and
 * the customer's first name.
 *   - Hive Gateway serves a supergraph that Mesh Compose makes from OnSched's OpenAPI document
 *     (bench/fixtures/onsched-consumer.openapi.json, bench/peer/mesh.config.ts), forwarding a static
 *     JWT and company key (it has no token lifecycle): `consumer_v1_appointments(limit: 50)`.
 *   - Bookgraph serves `bookings(first: 50, filter: {providers: [ONSCHED]})` with `service { name }`
 *     and `customer { firstName }`, through a connection holding only that company's key.
 *   - The same Bookgraph again with RESPONSE_CACHE=off, to see the gateway's cost without its
 *     platform-response cache (Hive has none); identical GETs in flight still share one call.
 * All tokens come from the emulator's one refresh-token session: the bench rotates the dashboard
 * token once (its JWT goes to Hive) and connects both Bookgraph processes with the successor (the
 * second within the emulator's 10 s reuse grace), so no gateway invalidates another's token. They run
 * with ONSCHED_*_URL set, which keeps their demo tenant from connecting OnSched itself.
 *
 * Each gateway runs as its own process (CPU per request from /proc/<pid>/stat); the emulators run in
 * another (`bookgraph sandbox`); the load generator (autocannon, 16 keep-alive connections) here.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions } from './lib/options.js';
import { closedLoop, type LoadFigures, median, postOnce, type Target } from './lib/load.js';
import { cpuSeconds, findPortBase, runToEnd, sampleRss, startChild, stopChildrenOnExit } from './lib/processes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const { quick: QUICK, rounds: ROUNDS, duration: DURATION, portBase: PORT_BASE } = benchOptions(process.argv.slice(2), 'npm run bench:peer', { portBase: 5200 });
const CONNECTIONS = 16;

const HIVE_QUERY = '{ consumer_v1_appointments(limit: 50) { data { id startDateTime status serviceName firstname } } }';
const BOOKGRAPH_QUERY =
  '{ bookings(first: 50, filter: {providers: [ONSCHED]}) { edges { node { id startsAt status service { name } customer { firstName } } } } }';

let ports: number[] = [];
let workDir = '';
const cleanup = stopChildrenOnExit({
  ports: () => ports,
  what: 'the emulators and the gateways',
  after: () => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  },
});

async function main(): Promise<void> {
  const started = performance.now();
  const load0 = os.loadavg();
  const cpu = os.cpus();
  const base = await findPortBase(PORT_BASE, 9);
  const uncachedPort = base + 7;
  const gatewayPort = base + 8;
  const hivePort = base + 9;
  ports = [1, 2, 3, 4, 5].map((i) => base + i).concat(uncachedPort, gatewayPort, hivePort);
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const apiKey = `bench_${randomBytes(24).toString('hex')}`;
  const hiveVersion = (require('@graphql-hive/gateway/package.json') as { version: string }).version;
  console.log(
    `Bookgraph vs Hive Gateway ${hiveVersion} — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ` +
      `load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}${QUICK ? ' — QUICK run' : ''}`,
  );
  console.log('Ratios matter, not absolute times: the emulators, the gateways and the load generator share these cores.');

  const sandbox = await startChild('emulators', process.execPath, ['bin/bookgraph.js', 'sandbox'], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_PORT_BASE: String(base), SANDBOX_RATE_LIMITS: 'false', PUBLIC_URL: gatewayOrigin },
    ready: /^\{".*":"http/,
  });
  const onsched = (JSON.parse(sandbox.readyLine) as Record<string, string>).onsched;
  if (!onsched) throw new Error('the sandbox has no OnSched emulator');
  const credentials = (await (await fetch(`${onsched}/__sandbox/credentials`)).json()) as {
    refresh_token: string;
    companies: Array<{ name: string; api_key: string }>;
  };
  const company = credentials.companies[0];

  // One rotation of the dashboard refresh token: its JWT for Hive, its successor for Bookgraph.
  const tokenRes = await fetch(`${onsched}/v3/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': company.api_key },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refresh_token }),
  });
  if (!tokenRes.ok) throw new Error(`OnSched token request: HTTP ${tokenRes.status} ${await tokenRes.text()}`);
  const token = (await tokenRes.json()) as { access_token: string; refresh_token: string };

  workDir = mkdtempSync(join(os.tmpdir(), 'bookgraph-peer-'));
  const supergraph = join(workDir, 'supergraph.graphql');
  const composeStarted = performance.now();
  await runToEnd('mesh-compose', process.execPath, [binOf('@graphql-mesh/compose-cli', 'mesh-compose'), '-c', 'bench/peer/mesh.config.ts', '-o', supergraph], {
    cwd: ROOT,
    env: { ...process.env, PEER_ONSCHED_URL: onsched, PEER_ONSCHED_TOKEN: token.access_token, PEER_ONSCHED_API_KEY: company.api_key },
  });
  const composeSeconds = (performance.now() - composeStarted) / 1000;

  const onsUrls = Object.fromEntries(['API_URL', 'AUTH_URL', 'SANDBOX_API_URL', 'SANDBOX_AUTH_URL'].map((k) => [`ONSCHED_${k}`, onsched]));
  const startBookgraph = (name: string, port: number, env: Record<string, string> = {}) =>
    startChild(name, process.execPath, ['bin/bookgraph.js', 'start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...onsUrls,
        SANDBOX: 'true',
        SANDBOX_EMULATORS: 'external',
        SANDBOX_PORT_BASE: String(base),
        PUBLIC_URL: gatewayOrigin,
        PORT: String(port),
        STORE_URL: 'memory://',
        LOG_LEVEL: 'warn',
        DEMO_API_KEY: apiKey,
        BOOKGRAPH_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        ...env,
      },
      ready: /Bookgraph is running/,
      timeoutMs: 120_000,
    });
  const [gw, gwUncached, hive] = await Promise.all([
    startBookgraph('gateway', gatewayPort),
    // The same gateway without its platform-response cache (its HTTP client still lets identical GETs
    // in flight share one call, so at 16 connections this is not one OnSched call per read).
    startBookgraph('gateway (RESPONSE_CACHE=off)', uncachedPort, { RESPONSE_CACHE: 'off' }),
    startChild(
      'hive-gateway',
      process.execPath,
      [binOf('@graphql-hive/gateway', 'hive-gateway'), 'supergraph', supergraph, '--port', String(hivePort), '--host', '127.0.0.1'],
      {
        cwd: ROOT,
        env: process.env,
        ready: /Listening on/,
      },
    ),
  ]);

  const bookgraph: Target = { url: `${gatewayOrigin}/graphql`, headers: { authorization: `Bearer ${apiKey}` }, query: BOOKGRAPH_QUERY };
  const bookgraphUncached: Target = { ...bookgraph, url: `http://127.0.0.1:${uncachedPort}/graphql` };
  const peer: Target = { url: `http://127.0.0.1:${hivePort}/graphql`, headers: {}, query: HIVE_QUERY };

  // Each gateway's OnSched connection: the successor refresh token and this one company's key. Both
  // present the same successor, within the emulator's 10 s reuse grace, and so share one session.
  for (const target of [bookgraph, bookgraphUncached]) {
    const connect = await postOnce({
      ...target,
      query: `mutation { connectProvider(input: { provider: ONSCHED, sandbox: true, credentials: { refreshToken: ${JSON.stringify(
        token.refresh_token,
      )}, companyApiKeys: [${JSON.stringify(company.api_key)}] } }) { provider status label } }`,
    });
    const connected = (JSON.parse(connect.body) as { data?: { connectProvider?: { status: string } } }).data?.connectProvider;
    if (connected?.status !== 'ACTIVE') throw new Error(`Bookgraph (${target.url}) could not connect OnSched: ${connect.body}`);
  }

  // Both must answer the same records before their speed means anything. Bookgraph leaves out what
  // is not a booking (holds `IN` and reschedule records `RE`, docs/platforms/onsched.md); the rest match.
  const hiveList =
    (JSON.parse((await postOnce(peer)).body) as { data?: { consumer_v1_appointments?: { data: Array<{ id: string; status: string }> } } }).data
      ?.consumer_v1_appointments?.data ?? [];
  const bgIds = (
    (
      JSON.parse((await postOnce({ ...bookgraph, query: BOOKGRAPH_QUERY.replace('{ id ', '{ id nativeId ') })).body) as {
        data?: { bookings?: { edges: Array<{ node: { nativeId: string } }> } };
      }
    ).data?.bookings?.edges ?? []
  ).map((e) => e.node.nativeId);
  const expected = hiveList.filter((a) => a.status !== 'IN' && a.status !== 'RE').map((a) => a.id);
  const same = expected.length > 0 && expected.length === bgIds.length && expected.every((id) => bgIds.includes(id));
  if (!same)
    throw new Error(
      `the two gateways do not answer the same appointments (Hive ${hiveList.length}, of which bookings ${expected.length}; Bookgraph ${bgIds.length})`,
    );
  console.log(
    `Started in ${((performance.now() - started) / 1000).toFixed(1)} s (composition ${composeSeconds.toFixed(1)} s). ` +
      `Company "${company.name}": Hive answers ${hiveList.length} appointments, Bookgraph the ${bgIds.length} of them that are bookings (no holds or reschedule records). ` +
      `${ROUNDS} interleaved rounds of ${DURATION} s at ${CONNECTIONS} connections…`,
  );

  const servers = [
    { name: `Hive Gateway ${hiveVersion}`, target: peer, pid: hive.child.pid },
    { name: 'Bookgraph', target: bookgraph, pid: gw.child.pid },
    { name: 'Bookgraph, RESPONSE_CACHE=off', target: bookgraphUncached, pid: gwUncached.child.pid },
  ];
  const onschedApi = async () => ((await (await fetch(`${onsched}/__sandbox/stats`)).json()) as { api: number }).api;
  for (const s of servers) await closedLoop(s.target, CONNECTIONS, QUICK ? 1 : 2); // warm-up
  const results = servers.map(() => ({ rounds: [] as LoadFigures[], cpu: 0, api: 0, requests: 0, rss: 0, loads: [] as number[] }));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate which one goes first, so none always follows the same other.
    const order = servers.map((_, i) => (i + r) % servers.length);
    for (const i of order) {
      const s = servers[i];
      const res = results[i];
      const cpu0 = cpuSeconds(s.pid);
      const api0 = await onschedApi();
      const rss = sampleRss(s.pid);
      const f = await closedLoop(s.target, CONNECTIONS, DURATION);
      res.rss = Math.max(res.rss, rss.stop());
      res.cpu += cpuSeconds(s.pid) - cpu0;
      res.api += (await onschedApi()) - api0;
      res.requests += f.sent;
      res.rounds.push(f);
      res.loads.push(os.loadavg()[0]);
    }
  }

  const header = ['server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'OnSched calls/req', 'CPU ms/req', 'RSS MB', 'load1', 'rounds req/s'];
  const rows = servers.map((s, i) => {
    const res = results[i];
    const rps = res.rounds.map((f) => f.rps);
    return [
      s.name,
      median(rps).toFixed(0),
      median(res.rounds.map((f) => f.p50)).toFixed(1),
      median(res.rounds.map((f) => f.p95)).toFixed(1),
      median(res.rounds.map((f) => f.p99)).toFixed(1),
      String(res.rounds.reduce((a, f) => a + f.errors, 0)),
      (res.api / Math.max(1, res.requests)).toFixed(2),
      ((1000 * res.cpu) / Math.max(1, res.requests)).toFixed(2),
      res.rss.toFixed(0),
      median(res.loads).toFixed(2),
      `${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)}`,
    ];
  });
  const m = (i: number, k: 'rps' | 'p95') => median(results[i].rounds.map((f) => f[k]));
  const cpuPerReq = (i: number) => results[i].cpu / Math.max(1, results[i].requests);
  for (const i of [1, 2])
    rows.push([
      `${servers[i].name} / Hive`,
      `×${(m(i, 'rps') / m(0, 'rps')).toFixed(2)}`,
      '',
      `×${(m(i, 'p95') / m(0, 'p95')).toFixed(2)}`,
      '',
      '',
      '',
      `×${(cpuPerReq(i) / cpuPerReq(0)).toFixed(2)}`,
      '',
      '',
      '',
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log(
    `Medians of ${ROUNDS} rounds × ${DURATION} s at ${CONNECTIONS} keep-alive connections. CPU: the gateway process's user+system time over its rounds / its requests. ` +
      'OnSched calls: delta of the emulator’s /__sandbox/stats over the rounds / requests sent. Hive forwards a static token; Bookgraph manages its own. ' +
      'RESPONSE_CACHE=off: the same gateway without its platform-response cache; identical OnSched GETs in flight still share one call ' +
      '(an unknown setting would be ignored: check its OnSched calls/req).',
  );
  const elapsed = (performance.now() - started) / 1000;
  const taken = await cleanup();
  console.log(`Run took ${elapsed.toFixed(0)} s; every child stopped${taken.length ? `; ports still taken: ${taken.join(', ')}` : '; ports free again'}.`);
}

/** The path of a package's executable, as its package.json `bin` names it. */
function binOf(pkg: string, name: string): string {
  const manifest = require(`${pkg}/package.json`) as { bin: string | Record<string, string> };
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[name];
  return join(ROOT, 'node_modules', pkg, rel);
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`peer bench failed: ${(err as Error).stack ?? err}`);
    await cleanup();
    process.exit(1);
  },
);
