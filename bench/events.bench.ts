/**
 * Measures booking-event latency through the gateway and prints two tables.
 *
 *   npm run bench:events [-- [--quick] [--port-base 5400]]
 *
 * It starts, each as its own process: the five emulators (`bookgraph sandbox`) and the gateway
 * (`bookgraph start` in sandbox mode with SANDBOX_EMULATORS=external and POLL_INTERVAL_SECONDS=2).
 * In this process: a webhook target (node:http on 127.0.0.1) and one graphql-ws subscriber of
 * `bookingEvents`. Each of the demo tenant's five connections is subscribed (`subscribeWebhook`,
 * BOOKING_CREATED and BOOKING_CANCELED, `targetUrl` = the target); then, platform after platform,
 * N "booking created" events are fired on the emulator (`POST /__sandbox/events`), one at a time:
 * the next is fired once the previous has reached both the subscriber and the target.
 *
 * Latency of one event: from the moment the `/__sandbox/events` request is sent to the moment the
 * subscriber's message, or the target's signed POST, is read in this process (one clock). NATIVE
 * platforms push to the gateway's receiver; for POLLING ones the figure is the detection delay,
 * and each event is fired after a random pause of 0 to POLL_INTERVAL_SECONDS so that the events
 * fall at every phase of the poll cycle. Every delivery's signature is checked with
 * `standardwebhooks`; after the last event the bench waits two poll intervals and counts events
 * lost (never arrived) and duplicated (arrived more than once), on both paths.
 *
 * Table 2: yAppointment with the operator's push registered (the emulator's admin stand-in
 * `POST /__sandbox/webhooks` at the subscription's `receiverUrl`, its secret handed to the gateway
 * with `setWebhookReceiverSecret`), where events should arrive at push speed.
 * Every child is stopped at the end, on an error and on Ctrl+C, and the ports are checked free.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createClient } from 'graphql-ws';
import { Webhook } from 'standardwebhooks';
import WebSocket from 'ws';
import { median, percentile } from './lib/load.js';
import { benchOptions } from './lib/options.js';
import { type Child, findPortBase, sleep, stopChildrenOnExit } from './lib/processes.js';
import { startEmulators, startGateway, treeState } from './lib/stack.js';

// ---------------------------------------------------------------------------------------------
// Options and platforms

const { quick: QUICK, portBase: PORT_BASE } = benchOptions(process.argv.slice(2), 'npm run bench:events', { portBase: 5400 });
/** The gateway's poll interval, in seconds. */
const POLL_INTERVAL_SECONDS = 2;
/** Events per platform. */
const N_NATIVE = QUICK ? 10 : 30;
const N_POLLING = QUICK ? 3 : 8;
/** How long one event may take to arrive on both paths before it counts as lost, in ms. */
const NATIVE_TIMEOUT_MS = 10_000;
const POLLING_TIMEOUT_MS = 3 * POLL_INTERVAL_SECONDS * 1_000 + 5_000;

type Mode = 'NATIVE' | 'POLLING';
interface Platform {
  provider: string;
  slug: string;
  mode: Mode;
  /** The emulator's `/__sandbox/events` type of a booking made on the platform's side. */
  created: string;
}
const PLATFORMS: Platform[] = [
  { provider: 'DAYSCHEDULE', slug: 'dayschedule', mode: 'NATIVE', created: 'event_scheduled' },
  { provider: 'ONSCHED', slug: 'onsched', mode: 'NATIVE', created: 'NEW_APPOINTMENT' },
  { provider: 'BOOKINGTIME', slug: 'bookingtime', mode: 'POLLING', created: 'appointment.created' },
  { provider: 'YAPPOINTMENT', slug: 'yappointment', mode: 'POLLING', created: 'booking.created' },
  { provider: 'APPOINTEDD', slug: 'appointedd', mode: 'POLLING', created: 'booking_created' },
];

type Json = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// What arrives in this process: the target's deliveries and the subscriber's events

/** One event as it arrived on one path; `at` is `performance.now()` when it was read. */
interface Arrival {
  provider: string;
  nativeId: string;
  type: string;
  at: number;
}

const delivered: Arrival[] = [];
const published: Arrival[] = [];
/** Signing secret of each provider's subscription (filled by `subscribeAll`). */
const secrets = new Map<string, Webhook>();
let badSignatures = 0;
let unreadable = 0;

/** The webhook target: records each POST with its arrival time, answers 200, then checks the signature. */
async function startTarget(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200).end();
      record(Buffer.concat(chunks).toString('utf8'), req.headers, at);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

function record(body: string, headers: IncomingHttpHeaders, at: number): void {
  let data: Json;
  try {
    data = (JSON.parse(body) as Json).data as Json;
  } catch {
    unreadable++;
    return;
  }
  const wh = secrets.get(data?.provider as string);
  try {
    if (!wh) throw new Error('no subscription for this provider');
    wh.verify(body, headers as Record<string, string>);
  } catch {
    badSignatures++;
  }
  delivered.push({ provider: data.provider, nativeId: String(data.booking?.nativeId), type: data.type, at });
}

/** One graphql-ws subscriber of every booking event of the tenant. */
async function startSubscriber(gatewayOrigin: string, apiKey: string): Promise<{ errors: unknown[]; close: () => Promise<void> }> {
  const client = createClient({
    url: `${gatewayOrigin.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
  });
  const errors: unknown[] = [];
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  client.subscribe(
    { query: 'subscription { bookingEvents { id type provider booking { nativeId } } }' },
    {
      next: (v) => {
        const at = performance.now();
        const e = v.data?.bookingEvents as Json | undefined;
        if (e) published.push({ provider: e.provider, nativeId: String(e.booking?.nativeId), type: e.type, at });
        else errors.push(v.errors ?? v);
      },
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  await connected;
  // The server subscribes the operation right after the connection is acknowledged.
  await sleep(200);
  return { errors, close: async () => client.dispose() };
}

// ---------------------------------------------------------------------------------------------
// Firing and measuring

interface Fired {
  provider: string;
  bookingId: string;
  sent: number;
  /** Pushes the emulator reports it delivered to the gateway's receiver. */
  pushed: number;
}

interface RowFigures {
  label: string;
  mode: string;
  n: number;
  toSubscriber: number[];
  toTarget: number[];
  /** From sending `/__sandbox/events` to its answer (for a push: after the gateway acknowledged it). */
  answered: number[];
  fired: Fired[];
  pushed: number;
}

const isCreated = (a: Arrival, f: Fired) => a.provider === f.provider && a.nativeId === f.bookingId && a.type === 'BOOKING_CREATED';

/** Fires `n` created events on `p`'s emulator, one at a time; resolves with the latencies in ms. */
async function measure(p: Platform, origin: string, n: number, label: string, mode: string, paced: boolean): Promise<RowFigures> {
  const row: RowFigures = { label, mode, n, toSubscriber: [], toTarget: [], answered: [], fired: [], pushed: 0 };
  const timeoutMs = paced ? POLLING_TIMEOUT_MS : NATIVE_TIMEOUT_MS;
  for (let i = 0; i < n; i++) {
    if (paced) await sleep(Math.random() * POLL_INTERVAL_SECONDS * 1_000);
    const sent = performance.now();
    const res = await fetch(`${origin}/__sandbox/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: p.created }),
    });
    if (!res.ok) throw new Error(`${p.slug} /__sandbox/events: HTTP ${res.status} ${await res.text()}`);
    const answer = (await res.json()) as { bookingId: string | number; webhooksDelivered?: number };
    row.answered.push(performance.now() - sent);
    const fired: Fired = { provider: p.provider, bookingId: String(answer.bookingId), sent, pushed: answer.webhooksDelivered ?? 0 };
    row.fired.push(fired);
    row.pushed += fired.pushed;
    const until = sent + timeoutMs;
    let sub: Arrival | undefined;
    let tgt: Arrival | undefined;
    while (performance.now() < until) {
      sub ??= published.find((a) => isCreated(a, fired));
      tgt ??= delivered.find((a) => isCreated(a, fired));
      if (sub && tgt) break;
      await sleep(5);
    }
    if (sub) row.toSubscriber.push(sub.at - sent);
    if (tgt) row.toTarget.push(tgt.at - sent);
  }
  return row;
}

/** Per row: events that never arrived and extra arrivals, on each path (counted after the settle pause). */
function losses(row: RowFigures): { lostSub: number; lostTgt: number; dupSub: number; dupTgt: number } {
  let lostSub = 0;
  let lostTgt = 0;
  let dupSub = 0;
  let dupTgt = 0;
  for (const f of row.fired) {
    const s = published.filter((a) => isCreated(a, f)).length;
    const t = delivered.filter((a) => isCreated(a, f)).length;
    if (s === 0) lostSub++;
    if (t === 0) lostTgt++;
    dupSub += Math.max(0, s - 1);
    dupTgt += Math.max(0, t - 1);
  }
  return { lostSub, lostTgt, dupSub, dupTgt };
}

// ---------------------------------------------------------------------------------------------
// The tables

const ms = (v: number) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const sorted = (v: number[]) => [...v].sort((a, b) => a - b);

function printTable(rows: RowFigures[]): void {
  const header = [
    'platform',
    'mode',
    'N',
    'sub p50 ms',
    'sub p99 ms',
    'target p50 ms',
    'target p99 ms',
    'lost sub/target',
    'dup sub/target',
    'pushes',
    'emulator answer p50 ms',
  ];
  const cells = rows.map((r) => {
    const l = losses(r);
    return [
      r.label,
      r.mode,
      String(r.n),
      ms(median(r.toSubscriber)),
      ms(percentile(sorted(r.toSubscriber), 99)),
      ms(median(r.toTarget)),
      ms(percentile(sorted(r.toTarget), 99)),
      `${l.lostSub}/${l.lostTgt}`,
      `${l.dupSub}/${l.dupTgt}`,
      String(r.pushed),
      ms(median(r.answered)),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const left = new Set([0, 1]);
  const line = (c: string[]) => c.map((v, i) => (left.has(i) ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

// ---------------------------------------------------------------------------------------------
// Processes and the gateway's API

let gateway: Child | undefined;
let ports: number[] = [];
let targetServer: Server | undefined;
const cleanup = stopChildrenOnExit({ ports: () => ports, what: 'the emulators and the gateway', after: () => targetServer?.close() });

async function gql(origin: string, apiKey: string, query: string, variables?: Json): Promise<Json> {
  const res = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Json;
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as Json;
}

async function control(origin: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${origin}/__sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${origin} /__sandbox/${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Json;
}

const SUBSCRIBE = `mutation($input: SubscribeWebhookInput!) {
  subscribeWebhook(input: $input) { id mode signingSecret receiverUrl connection { id provider } }
}`;

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = os.cpus();
  const base = await findPortBase(PORT_BASE, 6);
  const gatewayPort = base + 6;
  ports = [1, 2, 3, 4, 5].map((i) => base + i).concat(gatewayPort);
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const apiKey = `bench_${randomBytes(24).toString('hex')}`;

  console.log(
    `Bookgraph booking-events benchmark — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ` +
      `load average at start ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}${QUICK ? ' — QUICK run' : ''}`,
  );
  console.log(`Code: ${treeState()}.`);
  console.log(`Ports: emulators ${base + 1}–${base + 5}, gateway ${gatewayPort}. POLL_INTERVAL_SECONDS=${POLL_INTERVAL_SECONDS}. Starting…`);

  const target = await startTarget();
  targetServer = target.server;
  const emulators = await startEmulators(base, gatewayOrigin);
  gateway = await startGateway({ base, port: gatewayPort, apiKey, env: { POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS) } });
  console.log(`Started in ${((performance.now() - started) / 1000).toFixed(1)} s (gateway pid ${gateway.pid}).`);
  const progress = (what: string) => console.log(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);

  // Every platform connected, then every connection subscribed with the local target.
  let connections: Json[] = [];
  for (let attempt = 0; ; attempt++) {
    connections = (await gql(gatewayOrigin, apiKey, '{ connections { id provider status } }')).connections as Json[];
    if (PLATFORMS.every((p) => connections.some((c) => c.provider === p.provider && c.status === 'ACTIVE'))) break;
    if (attempt >= 20) throw new Error(`the demo tenant is not ACTIVE on every platform: ${JSON.stringify(connections)}`);
    await sleep(500);
  }
  const subscriptions = new Map<string, Json>();
  for (const p of PLATFORMS) {
    const connection = connections.find((c) => c.provider === p.provider) as Json;
    const input = { connectionId: connection.id, events: ['BOOKING_CREATED', 'BOOKING_CANCELED'], targetUrl: target.url };
    const sub = (await gql(gatewayOrigin, apiKey, SUBSCRIBE, { input })).subscribeWebhook as Json;
    if (sub.mode !== p.mode) throw new Error(`${p.provider}: subscribeWebhook answered mode ${sub.mode}, expected ${p.mode}`);
    secrets.set(p.provider, new Webhook(sub.signingSecret as string));
    subscriptions.set(p.provider, { ...sub, connectionId: connection.id });
  }
  const subscriber = await startSubscriber(gatewayOrigin, apiKey);
  progress('five connections subscribed, subscriber connected');

  // --- Table 1: each platform as subscribed -------------------------------------------------
  const rows: RowFigures[] = [];
  for (const p of PLATFORMS) {
    const n = p.mode === 'NATIVE' ? N_NATIVE : N_POLLING;
    progress(`${p.provider} (${p.mode}): ${n} events${p.mode === 'POLLING' ? `, each after a random 0–${POLL_INTERVAL_SECONDS} s pause` : ''}`);
    rows.push(await measure(p, emulators[p.slug], n, p.provider, p.mode, p.mode === 'POLLING'));
  }

  // --- Table 2: yAppointment with the operator's push ---------------------------------------
  const ya = PLATFORMS.find((p) => p.slug === 'yappointment') as Platform;
  const yaSub = subscriptions.get(ya.provider) as Json;
  const yaOrigin = emulators[ya.slug];
  const companyId = ((await control(yaOrigin, 'credentials')).companies as Json[])[0].id as string;
  const made = await control(yaOrigin, 'webhooks', { companyId, url: yaSub.receiverUrl, events: ['booking.created', 'booking.cancelled'] });
  const set = await gql(gatewayOrigin, apiKey, 'mutation($c: ID!, $s: String!) { setWebhookReceiverSecret(connectionId: $c, secret: $s) }', {
    c: yaSub.connectionId,
    s: made.secret,
  });
  if (set.setWebhookReceiverSecret !== yaSub.receiverUrl) throw new Error(`setWebhookReceiverSecret answered ${JSON.stringify(set)}`);
  progress(`YAPPOINTMENT with the operator's push at receiverUrl: ${N_NATIVE} events`);
  const pushRows = [await measure(ya, yaOrigin, N_NATIVE, 'YAPPOINTMENT', 'POLLING + push', false)];

  // Two more polls: anything published twice (push and poll, or two polls) shows now.
  progress(`settling for ${2 * POLL_INTERVAL_SECONDS + 1} s (two polls), then counting`);
  await sleep((2 * POLL_INTERVAL_SECONDS + 1) * 1_000);
  const load1 = os.loadavg()[0];
  const firedAll = [...rows, ...pushRows].flatMap((r) => r.fired);
  const unexpected = (list: Arrival[]) => list.filter((a) => !firedAll.some((f) => isCreated(a, f))).length;

  console.log('');
  console.log(`Table 1 — booking created on the platform → subscriber / target, POLL_INTERVAL_SECONDS=${POLL_INTERVAL_SECONDS}`);
  printTable(rows);
  console.log('');
  console.log("Table 2 — yAppointment with the operator's webhook registered at receiverUrl (setWebhookReceiverSecret)");
  printTable(pushRows);
  console.log('');
  console.log(
    'Latency: from sending POST /__sandbox/events to reading the graphql-ws message (sub) or the signed POST (target) in this process. ' +
      'NATIVE and push rows: the emulator pushes to the gateway before it answers. POLLING rows: detection delay, each event fired after a random pause ' +
      `of 0–${POLL_INTERVAL_SECONDS} s. p99 of N ≤ 100 samples is the largest one. pushes: deliveries to the gateway's receiver the emulator reports. ` +
      "emulator answer: until /__sandbox/events answered (the emulator applies the change, then pushes and waits for the receiver's 2xx).",
  );
  console.log(
    `Signatures (standardwebhooks Webhook#verify): ${delivered.length - badSignatures} of ${delivered.length} verified, ${badSignatures} failed` +
      `${unreadable ? `, ${unreadable} unreadable bodies` : ''}. ` +
      `Events for bookings not fired here: ${unexpected(published)} on the subscriber, ${unexpected(delivered)} at the target. ` +
      `Subscriber errors: ${subscriber.errors.length}.`,
  );
  console.log(
    `Load average (1 min) at the end: ${load1.toFixed(2)} on ${cpu.length} cores. ` +
      `Gateway log: ${gateway.count(/"level":40/)} warn, ${gateway.count(/"level":(50|60)/)} error lines (LOG_LEVEL=warn).`,
  );
  await subscriber.close();
  const elapsed = (performance.now() - started) / 1000;
  const taken = await cleanup();
  console.log(
    `Run took ${elapsed.toFixed(0)} s; every child stopped; ` +
      (taken.length ? `ports still taken: ${taken.join(', ')}.` : `ports ${ports[0]}–${ports[4]}, ${gatewayPort} free again.`),
  );
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    if (gateway && !gateway.exited()) console.error(`--- gateway output ---\n${gateway.tail()}`);
    await cleanup();
    process.exit(1);
  },
);
