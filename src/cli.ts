import { existsSync, readFileSync } from 'node:fs';

/**
 * The `bookgraph` command. Only node: built-ins are imported up front, so `--help` answers at once;
 * each command imports what it needs when it runs.
 */
interface Command {
  usage: string;
  summary: string;
  /** Its forms, each `[usage, summary]`, listed instead of `usage` and `summary`. */
  subcommands?: Array<[string, string]>;
  /** More lines for `bookgraph <command> --help`. */
  details?: string[];
  run(args: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  start: {
    usage: 'start',
    summary: 'the gateway (sandbox mode when no platform is configured); the default command',
    details: [
      'Sandbox mode starts the five platform emulators on SANDBOX_PORT_BASE+1 … +5 and connects a demo tenant to each;',
      'the banner is printed once every demo connection is made. Every variable below applies.',
    ],
    run: () => start(),
  },
  sandbox: {
    usage: 'sandbox',
    summary: 'the five emulators standalone; prints one JSON line of their base URLs',
    details: ['Reads SANDBOX_PORT_BASE, SANDBOX_RATE_LIMITS, PUBLIC_URL and SANDBOX_REDIRECT_ORIGINS.'],
    run: () => sandbox(),
  },
  cluster: {
    usage: 'cluster [--instances N] [--port P]',
    summary: 'the emulators, N gateway processes on one shared store and a round-robin front on P',
    details: [
      'Instances listen on P+1 … P+N (P defaults to PORT). STORE_URL (default redis://127.0.0.1:6379/0) must be Redis',
      'or PostgreSQL; BOOKGRAPH_ENCRYPTION_KEY and DEMO_API_KEY are generated for the run unless set.',
    ],
    run: (args) => cluster(args),
  },
  tenant: {
    usage: 'tenant <create|list|delete|rotate-key> …',
    summary: 'tenants and their API keys in STORE_URL (a file store only while no gateway holds it)',
    subcommands: [
      ['tenant create <name>', 'a tenant and its API key (printed once); a name already taken is refused'],
      ['tenant list', 'each tenant: id, name, created, and its connections (provider: status)'],
      ['tenant delete <id|name>', 'the tenant, its API keys, its connections and their tokens (not revoked at the platforms)'],
      ['tenant rotate-key <id|name>', 'a new API key (printed once); the old keys stop working'],
    ],
    details: ['`tenant delete` does not revoke grants at the platforms: disconnectProvider first for that.'],
    run: (args) => tenant(args),
  },
  webhooks: {
    usage: 'webhooks replay <subscription id> [delivery id…]',
    summary: "asks a running gateway to queue a subscription's FAILED deliveries again",
    details: ['BOOKGRAPH_API_KEY: the tenant key to act as (required). BOOKGRAPH_URL: the gateway (default PUBLIC_URL, else http://127.0.0.1:PORT).'],
    run: (args) => webhooks(args),
  },
  help: {
    usage: 'help [command]',
    summary: 'this help, or one command’s',
    run: async (args) => console.log(args[0] && COMMANDS[args[0]] ? commandHelp(args[0]) : help()),
  },
};

const isHelpFlag = (a: string | undefined) => a === '--help' || a === '-h';

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  if (isHelpFlag(command)) return void console.log(help());
  const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!cmd) {
    console.error(`bookgraph: unknown command "${command}".\n\n${help()}`);
    process.exitCode = 2;
    return;
  }
  if (rest.some(isHelpFlag)) return void console.log(commandHelp(command));
  return cmd.run(rest);
}

/** `[usage, summary]` rows of a command (one per subcommand). */
const rowsOf = (c: Command): Array<[string, string]> => c.subcommands ?? [[c.usage, c.summary]];

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([usage]) => usage.length)) + 2;
  return rows.map(([usage, summary]) => `  ${usage.padEnd(width)}${summary}`);
}

function help(): string {
  return [
    'Usage: bookgraph <command> [arguments]      (bookgraph <command> --help for one command)',
    '',
    'Commands:',
    ...table(Object.values(COMMANDS).flatMap(rowsOf)),
    '',
    ...variablesHelp(),
  ].join('\n');
}

function commandHelp(name: string): string {
  const c = COMMANDS[name];
  const lines = [
    `Usage: bookgraph ${c.usage}`,
    '',
    `  ${c.summary}`,
    ...(c.subcommands ? table(c.subcommands) : []),
    ...(c.details ?? []).map((d) => `  ${d}`),
  ];
  if (name === 'start') lines.push('', ...variablesHelp());
  else if (name !== 'help') lines.push('', 'Configuration variables: bookgraph --help lists them all.');
  return lines.join('\n');
}

interface VariableDoc {
  name: string;
  doc: string;
  default?: string;
  values?: string[];
}

/**
 * The configuration variables, from dist/config-variables.json: `npm run build` reads them off
 * src/config/config.ts's schema and doc comments (src/scripts/config-variables.mjs).
 */
function variablesHelp(): string[] {
  const file = new URL('../config-variables.json', import.meta.url);
  if (!existsSync(file)) return ['Configuration: environment variables (src/config/config.ts); run `npm run build` to list them here.'];
  const { variables, platforms } = JSON.parse(readFileSync(file, 'utf8')) as {
    variables: VariableDoc[];
    platforms: { keys: string[]; suffixes: string[]; doc: string };
  };
  const width = Math.max(...variables.map((v) => v.name.length)) + 2;
  const lines = ['Configuration (environment variables; a bad value stops start-up naming the variable):'];
  for (const v of variables) {
    const facts = [v.values ? v.values.join(' | ') : '', v.default !== undefined ? `default ${v.default}` : ''].filter(Boolean).join('; ');
    lines.push(`  ${v.name.padEnd(width)}${[v.doc, facts && `(${facts})`].filter(Boolean).join(' ')}`);
  }
  lines.push(
    `  <PLATFORM>${platforms.suffixes[0]}, ${platforms.suffixes
      .slice(1)
      .map((s) => `<PLATFORM>${s}`)
      .join(', ')}`,
    `  ${''.padEnd(width)}per platform, <PLATFORM> one of ${platforms.keys.join(', ')}; configuring any turns sandbox mode off (SANDBOX=auto)`,
  );
  return lines;
}

async function start(): Promise<void> {
  const started = Date.now();
  const { loadConfig, hasPlatformConfig } = await import('./config/config.js');
  const config = loadConfig();
  // A busy port is reported before anything slow starts (the emulators only in sandbox mode).
  const { assertPortsFree, explainListenError, plannedPorts } = await import('./server/ports.js');
  const { PLATFORMS } = await import('./connectors/platforms.js');
  const sandboxOn = config.sandbox === 'true' || (config.sandbox === 'auto' && !hasPlatformConfig());
  const planned = plannedPorts({
    port: config.port,
    host: config.host,
    emulators: sandboxOn && config.sandboxEmulators === 'in-process' ? PLATFORMS.map((p) => p.displayName) : [],
    portBase: config.sandboxPortBase,
  });
  await assertPortsFree(planned);
  const { startGateway } = await import('./server/gateway-process.js');
  const gateway = await startGateway(config).catch((err: unknown) => {
    throw explainListenError(err, planned);
  });
  const lines = [`Bookgraph is running (${gateway.sandbox ? 'sandbox mode: platforms are emulated locally' : 'production mode'}).`];
  lines.push(`  GraphiQL:  ${gateway.url}/graphql`);
  if (gateway.demoApiKey) {
    const active = gateway.demoConnections.filter((c) => c.status === 'ACTIVE');
    const others = gateway.demoConnections.filter((c) => c.status !== 'ACTIVE');
    lines.push(
      `  Demo key:  ${gateway.demoApiKey}`,
      `  Demo tenant connected to ${active.map((c) => c.provider).join(', ') || 'no platform'}${others.length ? `; not connected: ${others.map((c) => `${c.provider} (${c.status})`).join(', ')}` : ''}.`,
      `  Try:       curl -s ${gateway.url}/graphql -H 'authorization: Bearer ${gateway.demoApiKey}' -H 'content-type: application/json' -d '{"query":"{ bookings(first: 3) { edges { node { provider status startsAt } } } }"}'`,
    );
  }
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
  const { loadConfig } = await import('./config/config.js');
  const { runEmulators, sandboxRedirectUris } = await import('./server/sandbox-mode.js');
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
  const { loadConfig } = await import('./config/config.js');
  const { clusterArgs, runCluster } = await import('./server/cluster.js');
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
  const [action, ...words] = args;
  const target = words.join(' ').trim();
  if (!['create', 'list', 'delete', 'rotate-key'].includes(action ?? '') || (action !== 'list' && !target)) {
    console.error(`usage: bookgraph ${COMMANDS.tenant.usage}`);
    process.exitCode = 2;
    return;
  }
  const { loadConfig } = await import('./config/config.js');
  const { openStore } = await import('./store/store.js');
  const { TenantNameTakenError } = await import('./auth/tenants.js');
  const config = loadConfig();
  const store = await openStore(config.storeUrl);
  try {
    // The gateway's services over this store (no HTTP, no timers): tenants, connections, tokens.
    const services = await offlineServices(config, store);
    const { tenants } = services;
    if (action === 'create') {
      try {
        const { tenant: t, apiKey } = await tenants.create(target);
        console.log(`Created tenant ${t.name} (${t.id}).\nAPI key (shown once, store it now): ${apiKey}`);
      } catch (err) {
        if (!(err instanceof TenantNameTakenError)) throw err;
        console.error(`bookgraph: ${err.message}`);
        process.exitCode = 1;
      }
      return;
    }
    if (action === 'list') {
      for (const t of await tenants.list()) {
        const connections = await services.connections.listForTenant(t.id);
        const described = connections.map((c) => `${c.provider}: ${c.status}`).join(', ') || 'no connections';
        console.log(`${t.id}\t${t.name}\t${t.createdAt}\t${described}`);
      }
      return;
    }
    const found = await tenants.resolve(target);
    if (!found) {
      console.error(`bookgraph: no tenant with the id or name "${target}" (bookgraph tenant list shows them)`);
      process.exitCode = 1;
      return;
    }
    if (action === 'rotate-key') {
      const apiKey = await tenants.rotateKey(found.id);
      console.log(`New API key for ${found.name} (${found.id}), shown once; the old keys no longer work:\n${apiKey}`);
      return;
    }
    // delete: each connection the way deleteConnection removes one (tokens, then the record), then the tenant.
    const connections = await services.connections.listForTenant(found.id);
    for (const c of connections) {
      await services.tokens.forConnection(c.id).clear();
      await services.connections.remove(c.id);
    }
    await tenants.delete(found.id);
    console.log(
      `Deleted tenant ${found.name} (${found.id}), its API keys and ${connections.length} connection${connections.length === 1 ? '' : 's'} with their tokens.`,
    );
  } finally {
    await store.close();
  }
}

/** Services over `store` for commands that run beside (not in) a gateway: nothing listens or polls. */
async function offlineServices(config: import('./config/config.js').Config, store: import('./store/store.js').Store) {
  const [{ createServices }, { dataDirOf, loadSecretBox }, { isSandbox }, { pino }] = await Promise.all([
    import('./server/app.js'),
    import('./store/keys.js'),
    import('./server/gateway-process.js'),
    import('pino'),
  ]);
  const { box } = loadSecretBox({ envKey: config.encryptionKey, sandbox: isSandbox(config), dataDir: dataDirOf(config.storeUrl) });
  return createServices(config, store, box, pino({ level: 'silent' }), undefined, { sandbox: isSandbox(config) });
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
  const { loadConfig } = await import('./config/config.js');
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

main(process.argv.slice(2)).catch((err: Error) => {
  // ConfigError and PortInUseError are one line that says what to do; others get the program's name.
  const plain = err?.constructor?.name === 'ConfigError' || err?.constructor?.name === 'PortInUseError';
  console.error(plain ? err.message : `bookgraph: ${err?.message ?? String(err)}`);
  process.exit(1);
});
