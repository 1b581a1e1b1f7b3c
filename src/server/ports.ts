import { createServer } from 'node:net';

/** A port someone else holds: whose it is and which variable moves it, in one line. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly owner: string,
    readonly variable: string,
    readonly hint: string,
  ) {
    super(`Port ${port} (${owner}) is already in use: stop what holds it, or set ${variable} ${hint}.`);
  }
}

/** The ports a start will listen on, each with its owner and the variable that moves it. */
export interface PlannedPort {
  port: number;
  host: string;
  owner: string;
  variable: string;
  hint: string;
}

/**
 * The gateway's PORT and, in sandbox mode with in-process emulators on a fixed base, each emulator's
 * port (base+1 … in the order of `emulators`). Port 0 (any free port) is never planned.
 */
export function plannedPorts(options: {
  port: number;
  host: string;
  /** The emulators' display names in port order, or none when sandbox mode does not start them. */
  emulators: readonly string[];
  portBase: number;
}): PlannedPort[] {
  const planned: PlannedPort[] = [];
  if (options.port)
    planned.push({ port: options.port, host: options.host, owner: "the gateway's PORT", variable: 'PORT', hint: 'to a free port (PORT=0 picks one)' });
  if (options.portBase)
    options.emulators.forEach((name, i) =>
      planned.push({
        port: options.portBase + i + 1,
        host: '127.0.0.1',
        owner: `the ${name} emulator's, SANDBOX_PORT_BASE ${options.portBase} + ${i + 1}`,
        variable: 'SANDBOX_PORT_BASE',
        hint: `to another base (the emulators take base+1 … base+${options.emulators.length})`,
      }),
    );
  return planned;
}

/**
 * Throws `PortInUseError` for the first planned port that cannot be bound now, before any slow start-up
 * work, so a busy port is reported at once. (Something may still take a port in between; the listen
 * then fails and `explainListenError` gives the same line.)
 */
export async function assertPortsFree(planned: readonly PlannedPort[]): Promise<void> {
  for (const p of planned) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRINUSE' && err.code !== 'EACCES'));
      probe.listen({ port: p.port, host: p.host, exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (!free) throw new PortInUseError(p.port, p.owner, p.variable, p.hint);
  }
}

/** A listen error (`EADDRINUSE` on a planned port) as `PortInUseError`; anything else unchanged. */
export function explainListenError(err: unknown, planned: readonly PlannedPort[]): unknown {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code !== 'EADDRINUSE') return err;
  const p = planned.find((q) => q.port === e.port || e.message?.endsWith(`:${q.port}`));
  return p ? new PortInUseError(p.port, p.owner, p.variable, p.hint) : err;
}
