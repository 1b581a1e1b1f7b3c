/**
 * Prints latency and throughput figures of the gateway against the in-process emulators, next to
 * the bare emulator (the floor a gateway cannot beat). Bounded: each scenario runs for a fixed
 * number of requests at a fixed concurrency, loopback only.
 *
 *   npx tsx bench/gateway.bench.ts [--requests 400] [--concurrency 16]
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/config.js';
import { startGateway } from '../src/server/gateway-process.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 400);
const CONCURRENCY = arg('concurrency', 16);

interface Figures {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

async function measure(name: string, send: () => Promise<boolean>): Promise<Figures> {
  for (let i = 0; i < Math.min(20, REQUESTS); i++) await send(); // warm-up
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const t = performance.now();
        const ok = await send().catch(() => false);
        latencies.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { name, requests: latencies.length, errors, rps: latencies.length / seconds, p50: pct(50), p95: pct(95), p99: pct(99) };
}

const env = {
  PORT: '0',
  STORE_URL: 'memory://',
  SANDBOX: 'true',
  SANDBOX_PORT_BASE: '0',
  SANDBOX_RATE_LIMITS: 'false',
  BOOKGRAPH_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  LOG_LEVEL: 'silent',
};
const gateway = await startGateway(loadConfig(env), { env });
const key = gateway.demoApiKey as string;
const gql = (query: string) => async () => {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  return res.ok && !body.errors;
};

const appointedd = gateway.emulators.appointedd as string;
const creds = (await (await fetch(`${appointedd}/__sandbox/credentials`)).json()) as { client_id: string; client_secret: string };
const token = (
  (await (
    await fetch(`${appointedd}/v2/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: creds.client_id, client_secret: creds.client_secret }),
    })
  ).json()) as { access_token: string }
).access_token;

const connections = (await (
  await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ connections { provider status } }' }),
  })
).json()) as { data: { connections: Array<{ provider: string; status: string }> } };

const results = [
  await measure('bare emulator: Appointedd GET /v2/bookings?page[limit]=50', async () => {
    const res = await fetch(`${appointedd}/v2/bookings?page[limit]=50`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.ok;
  }),
  await measure('gateway: connections (no platform call)', gql('{ connections { id provider status } }')),
  await measure(
    'gateway: Appointedd bookings(first: 50)',
    gql('{ bookings(first: 50, filter: { providers: [APPOINTEDD] }) { edges { node { id startsAt status } } } }'),
  ),
  await measure(
    'gateway: Appointedd bookings(first: 50) + customer, service',
    gql('{ bookings(first: 50, filter: { providers: [APPOINTEDD] }) { edges { node { id startsAt customer { firstName } service { name } } } } }'),
  ),
  await measure(
    `gateway: all ${connections.data.connections.length} connections merged, bookings(first: 50) + customer, service`,
    gql('{ bookings(first: 50) { edges { node { id provider startsAt customer { firstName } service { name } } } } }'),
  ),
  await measure(
    'gateway: all connections merged, 60-day window, first: 50 + customer, service',
    gql(
      `{ bookings(first: 50, filter: { startsAfter: "${new Date(Date.now() - 30 * 86_400_000).toISOString()}", startsBefore: "${new Date(Date.now() + 30 * 86_400_000).toISOString()}" }) { edges { node { id provider startsAt customer { firstName } service { name } } } } }`,
    ),
  ),
];

console.log(`Bookgraph benchmark — ${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, node ${process.version}, loopback`);
console.log(`connections: ${connections.data.connections.map((c) => `${c.provider}(${c.status})`).join(', ')}`);
console.log(['scenario'.padEnd(78), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'p99 ms'.padStart(8), 'errors'.padStart(7)].join(''));
for (const r of results) {
  console.log(
    [
      r.name.padEnd(78),
      r.rps.toFixed(0).padStart(8),
      r.p50.toFixed(1).padStart(8),
      r.p95.toFixed(1).padStart(8),
      r.p99.toFixed(1).padStart(8),
      String(r.errors).padStart(7),
    ].join(''),
  );
}
await gateway.close();
