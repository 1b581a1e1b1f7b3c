import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The compiled CLI (`npm test` builds it first, `npm run build:ts`), run the way a user runs it.
const root = join(import.meta.dirname, '../..');
const BIN = join(root, 'bin', 'bookgraph.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Holds a port on 127.0.0.1 (0: any free one) the way another program would. */
function hold(port = 0): Promise<Server & { port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(Object.assign(server, { port: (server.address() as { port: number }).port })));
  });
}

async function freePort(): Promise<number> {
  const s = await hold();
  await new Promise((r) => s.close(r));
  return s.port;
}

/** A base whose next five ports (the emulators') are free now. */
async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const held = await Promise.all([1, 2, 3, 4, 5].map((i) => hold(base + i).catch(() => null)));
    await Promise.all(held.map((s) => s && new Promise((r) => s.close(r))));
    if (held.every(Boolean)) return base;
  }
}

const held: Server[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
});

describe('bookgraph help', () => {
  it.each([['--help'], ['-h'], ['help']])('`bookgraph %s` lists every command and variable, exit 0, under a second', async (flag) => {
    const runs = [await cli([flag]), await cli([flag])];
    const r = runs[1];
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const form of [
      'start',
      'sandbox',
      'cluster [--instances N] [--port P]',
      'tenant create <name>',
      'tenant list',
      'tenant delete <id|name>',
      'tenant rotate-key <id|name>',
      'webhooks replay <subscription id>',
    ])
      expect(r.stdout).toContain(form);
    // Variables come from config.ts's schema: a few from each part of it, with defaults and doc comments.
    expect(r.stdout).toMatch(/^ {2}PORT +The gateway's HTTP port .*default 4000/m);
    expect(r.stdout).toMatch(/^ {2}SANDBOX_PORT_BASE +.*default 4100/m);
    expect(r.stdout).toMatch(/^ {2}GRANT_RENEW_AHEAD_HOURS /m);
    expect(r.stdout).toContain('<PLATFORM>_CLIENT_SECRET');
    expect(Math.min(...runs.map((x) => x.ms))).toBeLessThan(1_000);
  });

  it('`bookgraph <command> --help` answers for that command, under a second', async () => {
    const r = await cli(['tenant', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: bookgraph tenant/);
    expect(r.stdout).toContain('tenant rotate-key <id|name>');
    const start = await cli(['start', '-h']);
    expect(start.stdout).toMatch(/^Usage: bookgraph start/);
    expect(start.stdout).toContain('STORE_URL');
    expect(Math.min(r.ms, start.ms)).toBeLessThan(1_000);
  });

  it('an unknown command prints the help on stderr and exits 2', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bookgraph: unknown command "frobnicate"\./);
    expect(r.stderr).toContain('Usage: bookgraph <command>');
  });
});

describe('start-up', () => {
  const env = (extra: Record<string, string>) => ({ STORE_URL: 'memory://', LOG_LEVEL: 'silent', ...extra });

  it("a busy PORT is one line naming the gateway's PORT, at once", async () => {
    const taken = await hold();
    held.push(taken);
    const r = await cli(['start'], env({ PORT: String(taken.port), SANDBOX_PORT_BASE: String(await freeBase()) }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `Port ${taken.port} (the gateway's PORT) is already in use: stop what holds it, or set PORT to a free port (PORT=0 picks one).`,
    ]);
    expect(r.ms).toBeLessThan(3_000);
  });

  it('a busy emulator port is one line naming the emulator and SANDBOX_PORT_BASE, at once', async () => {
    const base = await freeBase();
    const taken = await hold(base + 2);
    held.push(taken);
    const r = await cli(['start'], env({ PORT: String(await freePort()), SANDBOX_PORT_BASE: String(base) }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `Port ${base + 2} (the bookingtime emulator's, SANDBOX_PORT_BASE ${base} + 2) is already in use: stop what holds it, or set SANDBOX_PORT_BASE to another base (the emulators take base+1 … base+5).`,
    ]);
    expect(r.ms).toBeLessThan(3_000);
  });

  it('/readyz is 503 until the demo tenant is connected, then 200 before the banner; / redirects to /graphql', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env({ PORT: String(port), SANDBOX_PORT_BASE: '0' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const seen: number[] = [];
    let statusAtBanner = 0;
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      const bannerBefore = out.includes('Started in');
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status) seen.push(status);
      if (bannerBefore) {
        statusAtBanner = status;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(out).toContain('Demo tenant connected to DAYSCHEDULE, BOOKINGTIME, YAPPOINTMENT, APPOINTEDD, ONSCHED.');
    expect(statusAtBanner).toBe(200);
    expect(seen[0]).toBe(503);
    // Once ready it stays ready: 503s, then 200s.
    expect(seen.slice(seen.indexOf(200)).every((s) => s === 200)).toBe(true);

    const front = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(front.status).toBe(302);
    expect(front.headers.get('location')).toBe('/graphql');
    const page = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    child.kill('SIGTERM');
  });
});
