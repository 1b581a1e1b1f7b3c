/**
 * Windows of booking starts for a platform that cannot sort by start (docs/platforms/appointedd.md
 * §3.4): pure decisions of where the next window ends, from counts the connector asked for. All
 * instants are epoch ms.
 */

const HOUR_MS = 3_600_000;

/** How many of a listing's bookings start by `at` (and at or after its lower bound): one point of its cumulative count. */
export interface StartCount {
  at: number;
  count: number;
}

/** How many bookings a window should hold: at least `least`, at most `most`, ideally `target`. */
export interface WindowSize {
  least: number;
  most: number;
  target: number;
}

/**
 * Where a first window ends (pure): the start by which `sampleStarts` — one page of the listing's
 * `total` bookings, in the platform's created order, so a rough sample of their starts — suggests
 * `target` bookings begin. At least the earliest sampled start.
 */
export function firstWindowEnd(sampleStarts: readonly number[], total: number, target: number): number {
  const sorted = [...sampleStarts].sort((a, b) => a - b);
  const k = Math.min(sorted.length, Math.max(1, Math.ceil((target * sorted.length) / Math.max(total, 1))));
  return sorted[k - 1];
}

/** A wider window end (pure): `end` moved three times as far from `base` (at least two hours on). */
export function widerWindowEnd(base: number, end: number): number {
  return end + 2 * Math.max(Math.abs(end - base), HOUR_MS);
}

/**
 * Where the count through `a` and `b` reaches `target` (pure), assuming bookings start evenly
 * between and beyond them; at most 32 times their distance past the nearer one, and null when the
 * count does not grow between them.
 */
function extrapolated(a: StartCount, b: StartCount, target: number): number | null {
  const rate = (b.count - a.count) / (b.at - a.at);
  if (!(rate > 0)) return null;
  const reach = 32 * (b.at - a.at);
  if (target > b.count) return b.at + Math.max(1, Math.min(reach, Math.round((target - b.count) / rate)));
  return a.at - Math.max(1, Math.min(reach, Math.round((a.count - target) / rate)));
}

/**
 * The next window end to count (pure), or null when no instant is left to try, from the counts so
 * far (`points`). Between the latest end holding too few bookings and the earliest holding too many
 * it interpolates towards `size.target` (strictly inside). On one side only, it extrapolates from the
 * two nearest counts there, or with a single one moves by twice `scale` (ms; how far apart starts
 * lie, e.g. the spread of a sample): later when the windows hold too few, earlier when they hold too
 * many (no lower bound is known then).
 */
export function nextWindowEnd(points: readonly StartCount[], size: WindowSize, scale: number): number | null {
  const step = 2 * Math.max(scale, HOUR_MS);
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const below = sorted.filter((p) => p.count < size.least);
  const above = sorted.filter((p) => p.count > size.most);
  const few = below.at(-1);
  const many = above[0];
  if (few && many) {
    const lo = few.at + 1;
    const hi = many.at - 1;
    if (lo > hi) return null;
    const share = (size.target - few.count) / Math.max(many.count - few.count, 1);
    return Math.min(hi, Math.max(lo, Math.round(few.at + (many.at - few.at) * share)));
  }
  if (few) {
    const before = below.at(-2);
    return (before && extrapolated(before, few, size.target)) ?? few.at + step;
  }
  if (many) {
    const after = above[1];
    return (after && extrapolated(many, after, size.target)) ?? many.at - step;
  }
  return null;
}
