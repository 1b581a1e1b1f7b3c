import { LRUCache } from 'lru-cache';

export interface KeyFailureOptions {
  /** Wrong API keys one address may present within `windowMs`; the next one blocks it. 0 = never block. */
  maxFailures?: number;
  /** The sliding window the failures are counted in, in ms. */
  windowMs?: number;
  /** How long a blocked address gets 429 for a wrong key, in ms. */
  blockMs?: number;
  /** Addresses remembered at once (least recently failed forgotten first). */
  maxAddresses?: number;
  /** Current time in ms (tests). */
  clock?: () => number;
}

interface Entry {
  /** Times of the failures within the window, oldest first (at most `maxFailures`). */
  failures: number[];
  /** Until when the address is blocked (epoch ms; 0 = not blocked). */
  blockedUntil: number;
}

/**
 * Wrong API keys by client address, in process: after `maxFailures` wrong keys within `windowMs`,
 * the address's next wrong keys are refused (HTTP 429 with Retry-After) for `blockMs`. Only wrong
 * keys are counted and refused: a good key from a blocked address still works (the key is always
 * checked), so clients sharing an address (NAT, a proxy) with someone guessing keep working. A
 * missing key is not a failure.
 *
 * Bounded: an LRU of `maxAddresses` entries, each expiring after the longer of the window and the
 * block. Per instance: with several instances behind a balancer an address gets `maxFailures` per
 * instance.
 */
export class KeyFailureLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly clock: () => number;
  private readonly entries: LRUCache<string, Entry>;

  constructor({ maxFailures = 10, windowMs = 60_000, blockMs = 60_000, maxAddresses = 10_000, clock = Date.now }: KeyFailureOptions = {}) {
    this.maxFailures = maxFailures;
    this.windowMs = windowMs;
    this.blockMs = blockMs;
    this.clock = clock;
    this.entries = new LRUCache<string, Entry>({ max: maxAddresses, ttl: Math.max(windowMs, blockMs), ttlAutopurge: false });
  }

  /**
   * Records a wrong key from `address`. Returns null when the address may be told "wrong key"
   * (401), or the seconds it must wait (429 Retry-After) when it is blocked, this failure included.
   */
  fail(address: string): number | null {
    if (this.maxFailures === 0) return null;
    const now = this.clock();
    const key = normalizeAddress(address);
    const entry = this.entries.get(key) ?? { failures: [], blockedUntil: 0 };
    if (entry.blockedUntil > now) return Math.ceil((entry.blockedUntil - now) / 1_000);
    entry.failures = entry.failures.filter((t) => t > now - this.windowMs);
    entry.failures.push(now);
    if (entry.failures.length > this.maxFailures) {
      entry.failures = [];
      entry.blockedUntil = now + this.blockMs;
    }
    this.entries.set(key, entry);
    return entry.blockedUntil > now ? Math.ceil(this.blockMs / 1_000) : null;
  }
}

/** One key per client: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) counts as its IPv4 address. */
function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
