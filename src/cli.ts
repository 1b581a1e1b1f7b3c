import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.js';
import { startGateway } from './server/gateway-process.js';
import { runEmulators, sandboxRedirectUris } from './server/sandbox-mode.js';
import { clusterArgs, runCluster } from './server/cluster.js';
import { openStore } from './store/store.js';
import { TenantService } from './auth/tenants.js';

/**
 * `bookgraph start` — the gateway (sandbox mode when no platform is configured);
 * `bookgraph sandbox` — the five emulators standalone, one JSON line of base URLs on stdout;
 * `bookgraph cluster [--instances N] [--port P]` — the emulators, N gateway processes on one shared store and a round-robin front;
 * `bookgraph tenant create <name>` / `bookgraph tenant list`;
 * `bookgraph webhooks replay <subscription id> [delivery id…]` — asks a running gateway to queue FAILED deliveries again.
 */
async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'sandbox':
      return sandbox();
    case 'cluster':
      return cluster(rest);
    case 'tenant':
      return tenant(rest);
    case 'webhooks':
      return webhooks(rest);
    default:
      console.error(
        `unknown command "${command}". Commands: start, sandbox, cluster [--instances N] [--port P], tenant create <name>, tenant list, webhooks replay <subscription id>`,
      );
      process.exitCode = 2;
  }
}

async function start(): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  const gateway = await startGateway(config);
  const lines = [`Bookgraph is running (${gateway.sandbox ? 'sandbox mode: platforms are emulated locally' : 'production mode'}).`];
  lines.push(`  GraphiQL:  ${gateway.url}/graphql`);
  if (gateway.demoApiKey)
    lines.push(
      `  Demo key:  ${gateway.demoApiKey}`,
      `  Try:       curl -s ${gateway.url}/graphql -H 'authorization: Bearer ${gateway.demoApiKey}' -H 'content-type: application/json' -d '{"query":"{ bookings(first: 3) { edges { node { provider status startsAt } } } }"}'`,
    );
  lines.push(`  Started in ${Date.now() - started} ms. Ctrl+C stops.`);
  console.log(lines.join('\n'));
  onSignal(() => gateway.close());
}

/**
 * The emulators standalone. SANDBOX_PORT_BASE, SANDBOX_RATE_LIMITS, PUBLIC_URL and
 * SANDBOX_REDIRECT_ORIGINS (the gateways whose `/oauth/callback/<platform>` the consent platforms
 * accept) come from the same configuration a gateway reads, so `SANDBOX_EMULATORS=external
 * bookgraph start` with the same base, on any of those origins, uses them.
 */
async function sandbox(): Promise<void> {
  const config = loadConfig();
  const emulators = await runEmulators({
    port: config.sandboxPortBase,
    rateLimits: config.sandboxRateLimits,
    redirectUris: sandboxRedirectUris(config),
  });
  process.stdout.write(`${JSON.stringify(emulators.baseUrls)}\n`);
  onSignal(() => emulators.close());
}

/**
 * `cluster [--instances N] [--port P]`: the emulators, N gateway instances (separate processes, ports
 * P+1 … P+N) and a round-robin front on P (default PORT). STORE_URL (default
 * `redis://127.0.0.1:6379/0`) must be Redis or PostgreSQL; BOOKGRAPH_ENCRYPTION_KEY and DEMO_API_KEY
 * are generated for the run unless set; SANDBOX_PORT_BASE places the emulators.
 */
async function cluster(args: string[]): Promise<void> {
  const config = loadConfig();
  const { instances, port } = clusterArgs(args, config.port);
  const storeUrl = process.env.STORE_URL ?? 'redis://127.0.0.1:6379/0';
  const started = Date.now();
  const running = await runCluster({
    instances,
    port,
    host: config.host,
    portBase: config.sandboxPortBase,
    storeUrl,
    encryptionKey: config.encryptionKey,
    demoApiKey: config.demoApiKey,
  });
  console.log(
    [
      `Bookgraph cluster is running: ${instances} instance${instances === 1 ? '' : 's'} on ${storeUrl}, sandbox mode.`,
      `  Front:     ${running.frontUrl} (round robin over the instances, WebSockets included)`,
      `  GraphiQL:  ${running.frontUrl}/graphql`,
      `  Demo key:  ${running.demoApiKey}`,
      ...running.instanceUrls.map((url, i) => `  Instance ${i + 1}: ${url}`),
      `  Emulators: ${Object.values(running.emulators).join(' ')}`,
      `  Started in ${Date.now() - started} ms. Ctrl+C stops everything.`,
    ].join('\n'),
  );
  onSignal(() => running.close());
}

async function tenant(args: string[]): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config.storeUrl);
  try {
    const tenants = new TenantService(store);
    if (args[0] === 'create' && args[1]) {
      const { tenant: t, apiKey } = await tenants.create(args.slice(1).join(' '));
      console.log(`Created tenant ${t.name} (${t.id}).\nAPI key (shown once, store it now): ${apiKey}`);
    } else if (args[0] === 'list') {
      for (const t of await tenants.list()) console.log(`${t.id}\t${t.name}\t${t.createdAt}`);
    } else {
      console.error('usage: bookgraph tenant create <name> | bookgraph tenant list');
      process.exitCode = 2;
    }
  } finally {
    await store.close();
  }
}

/**
 * `webhooks replay <subscription id> [delivery id…]`: through the running gateway's GraphQL API (the
 * gateway owns the queue and the store), as the tenant whose key is in BOOKGRAPH_API_KEY.
 * BOOKGRAPH_URL (default `PUBLIC_URL`, else http://127.0.0.1:PORT) names the gateway.
 */
async function webhooks(args: string[]): Promise<void> {
  const [action, subscriptionId, ...deliveryIds] = args;
  const apiKey = process.env.BOOKGRAPH_API_KEY;
  if (action !== 'replay' || !subscriptionId || !apiKey) {
    console.error('usage: BOOKGRAPH_API_KEY=<tenant key> bookgraph webhooks replay <subscription id> [delivery id…]');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const url = `${process.env.BOOKGRAPH_URL ?? config.publicUrl ?? `http://127.0.0.1:${config.port}`}/graphql`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      query: 'mutation($s: ID!, $d: [ID!]) { replayWebhookDeliveries(subscriptionId: $s, deliveryIds: $d) }',
      variables: { s: subscriptionId, d: deliveryIds.length ? deliveryIds : null },
    }),
  });
  const body = (await res.json().catch(() => null)) as { data?: { replayWebhookDeliveries?: number }; errors?: Array<{ message: string }> } | null;
  if (body?.errors?.length || typeof body?.data?.replayWebhookDeliveries !== 'number') {
    console.error(`replay failed: ${body?.errors?.[0]?.message ?? `HTTP ${res.status} from ${url}`}`);
    process.exitCode = 1;
    return;
  }
  console.log(`${body.data.replayWebhookDeliveries} deliveries queued again.`);
}

function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: draining and shutting down…`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`bookgraph: ${(err as Error).message}`);
  process.exit(1);
});
