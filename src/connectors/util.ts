/** Maps with at most `limit` calls in flight, answering in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Runs `fn`, answering null when it throws a NOT_FOUND ProviderError. */
export async function nullIfNotFound<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** Strict keyset comparison on (startsAt, ref): true when `b` comes after `key`. */
export function isAfter(b: { startsAt: Date; ref: string }, key: { startsAt: Date; ref: string } | undefined): boolean {
  if (!key) return true;
  const d = b.startsAt.getTime() - key.startsAt.getTime();
  return d > 0 || (d === 0 && b.ref > key.ref);
}

/** Sorts by (startsAt, ref) ascending, the `listBookings` order. */
export function byStartThenRef(a: { startsAt: Date; ref: string }, b: { startsAt: Date; ref: string }): number {
  return a.startsAt.getTime() - b.startsAt.getTime() || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
}

/**
 * Applies the parts of a `BookingQuery` every connector filters the same way after fetching:
 * statuses, the exclusive `startsBefore`, the keyset `after`, order, and `limit`.
 */
export function finishBookingPage<B extends { startsAt: Date; ref: string; status: string }>(
  bookings: B[],
  query: { statuses?: string[]; startsAfter?: Date; startsBefore?: Date; after?: { startsAt: Date; ref: string }; limit: number },
): B[] {
  return bookings
    .filter(
      (b) =>
        (!query.statuses?.length || query.statuses.includes(b.status)) &&
        (!query.startsAfter || b.startsAt >= query.startsAfter) &&
        (!query.startsBefore || b.startsAt < query.startsBefore) &&
        isAfter(b, query.after),
    )
    .sort(byStartThenRef)
    .slice(0, query.limit);
}

/**
 * A value built from `from` (a schema built from an item schema), once per `from`: building a zod
 * schema costs far more than parsing with a built one, so no request path builds its own.
 */
export function builtOnce<S>(built: WeakMap<object, unknown>, from: object, build: () => S): S {
  let value = built.get(from) as S | undefined;
  if (value === undefined) {
    value = build();
    built.set(from, value);
  }
  return value;
}

/** The lower bound of a booking query: the later of `startsAfter` and the keyset position, epoch ms; undefined when it has neither. */
export function lowerBoundMs(query: { startsAfter?: Date; after?: { startsAt: Date } }): number | undefined {
  const a = query.startsAfter?.getTime();
  const b = query.after?.startsAt.getTime();
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** `[fromMs, toMs)` cut into consecutive windows of at most `maxDays` days, for platforms that answer a limited range per call. */
export function windowsOf(fromMs: number, toMs: number, maxDays: number): Array<{ start: Date; end: Date }> {
  const out: Array<{ start: Date; end: Date }> = [];
  for (let start = fromMs; start < toMs; start += maxDays * 86_400_000) {
    out.push({ start: new Date(start), end: new Date(Math.min(toMs, start + maxDays * 86_400_000)) });
  }
  return out;
}
