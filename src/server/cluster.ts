import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/**
 * `bookgraph cluster`: a local cluster anyone can start. The five emulators standalone
 * (`bookgraph sandbox`), N gateway instances (`bookgraph start`, each its own OS process, sandbox
 * mode on those emulators, one shared Redis or PostgreSQL store, one encryption key and demo key)
 * and a round-robin front on one port, to try several instances on one machine. A deployment puts
 * its own load balancer in front of its instances instead.
 */

const BIN = join(packageRoot, 'bin', 'bookgraph.js');

export interface ClusterOptions {
  /** Gateway instances (separate processes). */
  instances: number;
  /** The front's port; the instances take port+1 … port+N. */
  port: number;
  host: string;
  /** The emulators' SANDBOX_PORT_BASE: they take base+1 … base+5. */
  portBase: number;
  /** The store every instance shares: `redis://…` or `postgres://…`. */
  storeUrl: string;
  /** base64 of 32 bytes; generated for this run when absent. */
  encryptionKey?: string;
  /** The demo tenant's API key; generated for this run when absent. */
  demoApiKey?: string;
  /** Environment of every child (before the cluster's own variables); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where the children's lines go once they are up (prefixed with their name); default stderr. */
  output?: (line: string) => void;
}

export interface RunningCluster {
  frontUrl: string;
  instanceUrls: string[];
  emulators: Record<string, string>;
  demoApiKey: string;
  /** Stops the front, then the instances, then the emulators (SIGTERM, SIGKILL after 10 s). */
  close(): Promise<void>;
}

/** Reads `--instances N` (default 3) and `--port P` (default `fallbackPort`); throws on a bad value. */
export function clusterArgs(argv: string[], fallbackPort: number): { instances: number; port: number } {
  const value = (name: string, fallback: number, min: number, max: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} needs an integer from ${min} to ${max}`);
    return n;
  };
  const known = new Set(['--instances', '--port']);
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.has(a) && !known.has(argv[i - 1]));
  if (unknown.length) throw new Error(`unknown option ${unknown[0]} (options: --instances N, --port P)`);
  return { instances: value('instances', 3, 1, 32), port: value('port', fallbackPort, 1, 65_000) };
}

/** Throws unless `url` names a store several processes can share (Redis or PostgreSQL). */
export function assertSharedStore(url: string): void {
  if (!/^(redis|rediss|postgres|postgresql):\/\//.test(url)) {
    throw new Error(`STORE_URL must be redis:// or postgres:// for a cluster (every instance shares it); got ${JSON.stringify(url)}`);
  }
}

/** Starts the emulators, the instances and the front; resolves once all of them answer. */
export async function runCluster(options: ClusterOptions): Promise<RunningCluster> {
  assertSharedStore(options.storeUrl);
  const { host, port, portBase } = options;
  const output = options.output ?? ((line: string) => process.stderr.write(`${line}\n`));
  const frontUrl = `http://${host}:${port}`;
  const instancePorts = Array.from({ length: options.instances }, (_, i) => port + i + 1);
  const instanceUrls = instancePorts.map((p) => `http://${host}:${p}`);
  const demoApiKey = options.demoApiKey ?? `bg_${randomBytes(24).toString('base64url')}`;
  const encryptionKey = options.encryptionKey ?? randomBytes(32).toString('base64');
  const base = { ...(options.env ?? process.env) };
  const children: Child[] = [];
  let front: Front | null = null;

  const close = async () => {
    await front?.close();
    // Instances first (they drain requests that may still call the emulators), then the emulators.
    await Promise.all(children.filter((c) => c.name !== 'emulators').map((c) => c.stop()));
    await Promise.all(children.filter((c) => c.name === 'emulators').map((c) => c.stop()));
  };
  try {
    const sandbox = await startChild('emulators', ['sandbox'], {
      env: {
        ...base,
        SANDBOX_PORT_BASE: String(portBase),
        SANDBOX_RATE_LIMITS: base.SANDBOX_RATE_LIMITS ?? 'false',
        PUBLIC_URL: frontUrl,
        SANDBOX_REDIRECT_ORIGINS: instanceUrls.join(','),
      },
      ready: /^\{".*":"http/,
      output,
      children,
    });
    const emulators = JSON.parse(sandbox.readyLine) as Record<string, string>;
    const instance = (i: number) =>
      startChild(`gateway ${i + 1}`, ['start'], {
        env: {
          ...base,
          SANDBOX: 'true',
          SANDBOX_EMULATORS: 'external',
          SANDBOX_PORT_BASE: String(portBase),
          STORE_URL: options.storeUrl,
          BOOKGRAPH_ENCRYPTION_KEY: encryptionKey,
          DEMO_API_KEY: demoApiKey,
          PUBLIC_URL: frontUrl,
          HOST: host,
          PORT: String(instancePorts[i]),
          LOG_LEVEL: base.LOG_LEVEL ?? 'warn',
        },
        ready: /Started in \d+ ms\. Ctrl\+C stops/,
        output,
        children,
      });
    // All at once: whichever takes the store's lock first sets the demo tenant up, the others find it.
    await Promise.all(instancePorts.map((_, i) => instance(i)));
    front = await startFront(instanceUrls, { port, host });
    return { frontUrl: front.url, instanceUrls, emulators, demoApiKey, close };
  } catch (err) {
    await close();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The front

export interface Front {
  url: string;
  close(): Promise<void>;
}

/**
 * A round-robin front over `backends` (origins): each HTTP request, and each WebSocket upgrade
 * (the whole socket then stays with that backend), goes to the next backend in turn. Headers pass
 * unchanged, plus `x-forwarded-for`/`-host`/`-proto`. A backend that cannot be reached answers 502;
 * there are no health checks or retries (a local tool, not a load balancer).
 */
export async function startFront(backends: string[], options: { port?: number; host?: string } = {}): Promise<Front> {
  if (backends.length === 0) throw new Error('the front needs at least one backend');
  const targets = backends.map((b) => new URL(b));
  const agent = new Agent({ keepAlive: true });
  const upgraded = new Set<Socket>();
  let next = 0;
  const pick = () => targets[next++ % targets.length];
  const forwarded = (req: IncomingMessage) => ({
    ...req.headers,
    'x-forwarded-for': req.socket.remoteAddress ?? '',
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-proto': 'http',
  });

  const server = createServer((req, res) => {
    const target = pick();
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: forwarded(req), agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway: ${target.origin} did not answer\n`);
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const target = pick();
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(forwarded(req)).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`));
      upstream.write(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${headers.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    for (const s of [socket, upstream]) {
      upgraded.add(s);
      s.on('close', () => upgraded.delete(s));
    }
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    async close() {
      for (const s of upgraded) s.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The children

interface Child {
  name: string;
  proc: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const alive = new Set<ChildProcess>();
let exitHook = false;

/**
 * Starts `bookgraph <args…>` and resolves once a line matches `ready` (within `timeoutMs`); rejects
 * with the lines it printed when it exits or times out first. After that, its lines go to `output`
 * prefixed with its name. Every child is SIGKILLed if this process exits without stopping them.
 */
function startChild(
  name: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; ready: RegExp; output: (line: string) => void; children: Child[]; timeoutMs?: number },
): Promise<{ child: Child; readyLine: string }> {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of alive) p.kill('SIGKILL');
    });
  }
  // Its own process group: a terminal's Ctrl+C reaches this process only, which stops the children
  // in order (instances before the emulators they call).
  const proc = spawn(process.execPath, [BIN, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  alive.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => (alive.delete(proc), resolve())));
  let stopping = false;
  const child: Child = {
    name,
    proc,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  options.children.push(child);
  const early: string[] = [];
  let ready = false;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void child.stop().then(() => reject(new Error(`${name} ${why}:\n${early.slice(-20).join('\n')}`)));
    };
    const timer = setTimeout(() => fail(`was not ready after ${(options.timeoutMs ?? 120_000) / 1000} s`), options.timeoutMs ?? 120_000);
    const onLine = (line: string) => {
      if (ready) return options.output(`[${name}] ${line}`);
      early.push(line);
      if (options.ready.test(line)) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, readyLine: line });
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      });
    }
    proc.once('exit', (code, signal) => {
      if (!ready) fail(`exited (${code ?? signal}) before it was ready`);
      else if (!stopping) options.output(`[${name}] exited (${code ?? signal})`);
    });
  });
}
