import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Child, startChild } from './processes.js';

/**
 * The system a bench measures, each part its own process (tracked and stopped by `./processes.js`):
 * the five emulators (`bookgraph sandbox`) and the gateway (`bookgraph start` in sandbox mode with
 * SANDBOX_EMULATORS=external, so it runs no emulator itself).
 */

/** The repository's root: the working directory of every child. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts the five emulators on ports `base + 1` to `base + 5`, rate limits off, their pushes aimed at
 * `gatewayOrigin`; resolves with each emulator's origin by platform slug.
 */
export async function startEmulators(base: number, gatewayOrigin: string): Promise<Record<string, string>> {
  const { readyLine } = await startChild('emulators', process.execPath, ['bin/bookgraph.js', 'sandbox'], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_PORT_BASE: String(base), SANDBOX_RATE_LIMITS: 'false', PUBLIC_URL: gatewayOrigin },
    ready: /^\{".*":"http/,
  });
  return JSON.parse(readyLine) as Record<string, string>;
}

/**
 * Starts the gateway on 127.0.0.1:`port` against the emulators of `base`: memory store, a fresh
 * encryption key, warnings only, the demo tenant's API key `apiKey`; `env` comes last (e.g.
 * POLL_INTERVAL_SECONDS). Resolves once it is running (at most 120 s).
 */
export async function startGateway(options: { base: number; port: number; apiKey: string; env?: NodeJS.ProcessEnv }): Promise<Child> {
  const { child } = await startChild('gateway', process.execPath, ['bin/bookgraph.js', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SANDBOX: 'true',
      SANDBOX_EMULATORS: 'external',
      SANDBOX_PORT_BASE: String(options.base),
      PUBLIC_URL: `http://127.0.0.1:${options.port}`,
      PORT: String(options.port),
      STORE_URL: 'memory://',
      LOG_LEVEL: 'warn',
      DEMO_API_KEY: options.apiKey,
      BOOKGRAPH_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...options.env,
    },
    ready: /Bookgraph is running/,
    timeoutMs: 120_000,
  });
  return child;
}

/** The commit measured, and whether the work tree's gateway code differs from it. */
export function treeState(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = git('status', '--porcelain', '--', 'src', 'resolvers', 'schema').split('\n').filter(Boolean).length;
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ` + ${changed} uncommitted file(s) in src/, resolvers/, schema/` : ', clean'}`;
  } catch {
    return 'not a git checkout';
  }
}
