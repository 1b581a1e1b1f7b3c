/** Injected faults and latency (README §7 "Faults", "Latency"). */
export interface FaultSpec {
  match: string;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  mode?: 'reset' | 'malformed' | 'hang';
  count?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  remaining: number | null;
}

export class Faults {
  private list: Fault[] = [];
  private seq = 0;
  latencyMs = 0;

  /** Validates and adds a fault; returns its id or an error message. */
  add(spec: unknown): { id: string } | { error: string } {
    if (!spec || typeof spec !== 'object') return { error: 'body must be a JSON object' };
    const s = spec as Record<string, unknown>;
    if (typeof s.match !== 'string' || !(s.match === '*' || s.match.startsWith('/'))) {
      return { error: 'match must be "*" or a path prefix starting with /' };
    }
    const intOrUndef = (v: unknown, min: number) => v === undefined || (Number.isInteger(v) && (v as number) >= min);
    if (!intOrUndef(s.status, 100) || (s.status !== undefined && (s.status as number) > 599)) return { error: 'status must be an HTTP status' };
    if (!intOrUndef(s.retryAfterSeconds, 0)) return { error: 'retryAfterSeconds must be an integer >= 0' };
    if (!intOrUndef(s.latencyMs, 0)) return { error: 'latencyMs must be an integer >= 0' };
    if (!intOrUndef(s.count, 1)) return { error: 'count must be an integer >= 1' };
    if (s.mode !== undefined && !['reset', 'malformed', 'hang'].includes(s.mode as string)) {
      return { error: 'mode must be reset, malformed or hang' };
    }
    if (s.status === undefined && s.latencyMs === undefined && s.mode === undefined) {
      return { error: 'one of status, latencyMs, mode is required' };
    }
    const id = `fault-${++this.seq}`;
    this.list.push({
      id,
      match: s.match,
      status: s.status as number | undefined,
      retryAfterSeconds: s.retryAfterSeconds as number | undefined,
      latencyMs: s.latencyMs as number | undefined,
      mode: s.mode as Fault['mode'],
      remaining: (s.count as number | undefined) ?? null,
    });
    return { id };
  }

  /** The oldest active fault matching `path`, consuming one of its uses. */
  take(path: string): Fault | null {
    const fault = this.list.find((f) => f.match === '*' || path.startsWith(f.match));
    if (!fault) return null;
    if (fault.remaining !== null) {
      fault.remaining--;
      if (fault.remaining <= 0) this.list = this.list.filter((f) => f !== fault);
    }
    return fault;
  }

  clear(): number {
    const n = this.list.length;
    this.list = [];
    return n;
  }

  reset(): void {
    this.clear();
    this.latencyMs = 0;
    this.seq = 0;
  }
}
