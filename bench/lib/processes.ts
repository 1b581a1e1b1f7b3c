import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The benchmark's child processes: each started with `startChild`, tracked here, stopped by
 * `stopAll` (SIGTERM, then SIGKILL after `graceMs`) and, if the bench dies first, SIGKILLed from
 * the bench's `exit` handler (`killAllSync`). Only processes started here are ever signalled.
 */
export interface Child {
  name: string;
  pid: number;
  /** The last lines the process printed (stdout and stderr), for diagnostics. */
  tail(): string;
  /** Lines printed since start that match `pattern`. */
  count(pattern: RegExp): number;
  exited(): boolean;
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<{ proc: ChildProcess; child: Child }>();

interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The line that says the process is ready. */
  ready: RegExp;
  /** How long to wait for it, in ms. */
  timeoutMs?: number;
}

/** Starts `command args…` and resolves with the child and its ready line; rejects (and stops it) on exit or timeout. */
export function startChild(name: string, command: string, args: string[], options: StartOptions): Promise<{ child: Child; readyLine: string }> {
  const proc = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const all: string[] = [];
  let exitCode: number | string | null = null;
  const exitedPromise = new Promise<void>((resolve) => proc.once('exit', (code, signal) => ((exitCode = code ?? signal ?? 'unknown'), resolve())));
  const child: Child = {
    name,
    pid: proc.pid as number,
    tail: () => lines.slice(-30).join('\n'),
    count: (pattern) => all.filter((l) => pattern.test(l)).length,
    exited: () => exitCode !== null,
    async stop(graceMs = 5_000) {
      if (exitCode === null) {
        proc.kill('SIGTERM');
        const killed = await Promise.race([exitedPromise.then(() => true), sleep(graceMs).then(() => false)]);
        if (!killed) {
          proc.kill('SIGKILL');
          await exitedPromise;
        }
      }
      running.delete(entry);
    },
  };
  const entry = { proc, child };
  running.add(entry);

  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${name} was not ready after ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void child.stop().then(() => reject(new Error(`${err.message}\n--- ${name} output ---\n${child.tail()}`)));
    };
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      all.push(line);
      if (!done && options.ready.test(line)) {
        done = true;
        clearTimeout(timer);
        resolve({ child, readyLine: line });
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const p of parts) onLine(p);
      });
    }
    proc.once('error', (err) => fail(err));
    proc.once('exit', () => fail(new Error(`${name} exited (${exitCode}) before it was ready`)));
  });
}

/** Stops every child still running, in parallel. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(({ child }) => child.stop()));
}

/** SIGKILLs every child still running (for `process.on('exit')`, where nothing can be awaited). */
export function killAllSync(): void {
  for (const { proc } of running) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether nothing listens on 127.0.0.1:`port`. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first base ≥ `from` (in steps of 20) with base+1 … base+`span` all free. */
export async function findPortBase(from: number, span: number): Promise<number> {
  for (let base = from; base < from + 2_000; base += 20) {
    let free = true;
    for (let p = base + 1; p <= base + span && free; p++) free = await portFree(p);
    if (free) return base;
  }
  throw new Error(`no ${span} free ports above ${from}`);
}

/** Waits until every port is free again; returns the ones still taken after `timeoutMs`. */
export async function waitPortsFree(ports: number[], timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const taken: number[] = [];
    for (const p of ports) if (!(await portFree(p))) taken.push(p);
    if (taken.length === 0 || Date.now() > deadline) return taken;
    await sleep(200);
  }
}

/** Resident set size of `pid` in MB (VmRSS of /proc/<pid>/status), or NaN when unreadable. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; `stop()` returns the peak in MB. */
export function sampleRss(pid: number, everyMs = 250): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    const v = rssMb(pid);
    if (!(v <= peak)) peak = Number.isNaN(peak) ? v : Math.max(peak, v);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const v = rssMb(pid);
      return Number.isNaN(peak) ? v : Math.max(peak, Number.isNaN(v) ? peak : v);
    },
  };
}

/** ESTABLISHED TCP connections whose local port is `port` (from /proc/net/tcp), i.e. open at the server. */
export function establishedAt(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[1].endsWith(`:${hex}`) && cols[3] === '01') n++;
    }
  }
  return n;
}

/** Runs `command args…` to its end; resolves with its output, rejects on a non-zero exit or after `timeoutMs`. */
export function runToEnd(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = {
      proc,
      child: {
        name,
        pid: proc.pid as number,
        tail: () => out,
        count: () => 0,
        exited: () => proc.exitCode !== null,
        stop: async () => void proc.kill('SIGKILL'),
      },
    };
    running.add(entry);
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(entry);
      if (code === 0) resolve(out);
      else reject(new Error(`${name} failed (${code ?? signal})\n${out.slice(-3_000)}`));
    });
  });
}

let ticksPerSecond = 0;
/** CPU time (user + system) `pid` has used so far, in seconds, from /proc/<pid>/stat; NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  if (!ticksPerSecond) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/**
 * Stops every child at exit, on Ctrl+C and on SIGTERM. Returns `cleanup()`, which stops them once
 * (later calls share the first), runs `opts.after`, and resolves with the ports of `opts.ports()`
 * still taken afterwards (none, normally).
 */
export function stopChildrenOnExit(opts: { ports: () => number[]; what: string; after?: () => void }): () => Promise<number[]> {
  let cleaningUp: Promise<number[]> | null = null;
  const cleanup = () => {
    cleaningUp ??= (async () => {
      await stopAll();
      opts.after?.();
      const taken = await waitPortsFree(opts.ports());
      if (taken.length) console.error(`warning: ports still taken after stopping: ${taken.join(', ')}`);
      return taken;
    })();
    return cleaningUp;
  };
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      // tsx relays the terminal's Ctrl+C too: the second signal finds the cleanup under way.
      if (!cleaningUp) console.error(`\n${signal}: stopping ${opts.what}…`);
      void cleanup().finally(() => process.exit(130));
    });
  return cleanup;
}
