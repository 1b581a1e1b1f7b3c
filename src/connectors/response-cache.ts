import type { ConnectorCache } from './cache.js';
import type { Connector, RecordBase } from './types.js';

/** How long a platform's answers are reused, per kind of record, in ms. */
export interface ResponseTtls {
  organizations: number;
  services: number;
  customers: number;
  bookings: number;
}

/**
 * Reference data changes rarely (minutes); customers and bookings change on the platform's own site
 * too, so they are reused for seconds only. Writes through the gateway drop what they make stale at
 * once; changes made elsewhere show after at most these times.
 */
export const DEFAULT_RESPONSE_TTLS: ResponseTtls = {
  organizations: 300_000,
  services: 300_000,
  customers: 10_000,
  bookings: 5_000,
};

type Kind = keyof ResponseTtls;

/**
 * A connector whose reads are answered from `cache` while fresh: listings by their exact query,
 * batch lookups ref by ref (so a listing also answers later lookups of its records, and a batch
 * asks the platform only for the refs it lacks). Identical concurrent reads share one platform call.
 * Writes pass through and drop the cached records of their kind. Results are shared objects: callers
 * must not mutate them.
 */
export function withResponseCache(connector: Connector, cache: ConnectorCache, ttls: ResponseTtls = DEFAULT_RESPONSE_TTLS): Connector {
  const listing = <T>(kind: Kind, query: unknown, load: () => Promise<T>): Promise<T> =>
    cache.getOrLoad(`${kind}:list:${query === undefined ? '' : JSON.stringify(query)}`, ttls[kind], async () => {
      const result = await load();
      const items = Array.isArray(result) ? result : (result as { items?: unknown }).items;
      if (Array.isArray(items)) for (const item of items as RecordBase[]) prime(kind, item);
      return result;
    });

  const prime = (kind: Kind, record: RecordBase) => cache.set(`${kind}:ref:${record.ref}`, record, ttls[kind]);
  /** Lookups under way, by kind and ref: a concurrent batch waits for them instead of asking again. */
  const pending = new Map<string, Promise<unknown>>();

  /** Looks refs up in the cache one by one, asking the platform once for all that are missing. */
  async function batch<T extends RecordBase>(kind: Kind, refs: readonly string[], get: (refs: readonly string[]) => Promise<Array<T | null>>) {
    const found = new Map<string, T | null>();
    const waits: Array<Promise<unknown>> = [];
    const missing: string[] = [];
    for (const ref of new Set(refs)) {
      const hit = cache.peek<T>(`${kind}:ref:${ref}`);
      const running = pending.get(`${kind}:${ref}`) as Promise<T | null> | undefined;
      if (hit) found.set(ref, hit.v);
      else if (running) waits.push(running.then((v) => found.set(ref, v)));
      else missing.push(ref);
    }
    if (missing.length > 0) {
      const call = get(missing);
      missing.forEach((ref, i) => {
        const key = `${kind}:${ref}`;
        const one = call.then((records) => records[i] ?? null);
        pending.set(key, one);
        one.then(
          () => pending.delete(key),
          () => pending.delete(key),
        );
        waits.push(
          one.then((record) => {
            found.set(ref, record);
            if (record) prime(kind, record);
          }),
        );
      });
    }
    await Promise.all(waits);
    return refs.map((r) => found.get(r) ?? null);
  }

  const drop = (kind: Kind) => cache.invalidatePrefix(`${kind}:`);

  return {
    webhooks: connector.webhooks,
    keepAlive: connector.keepAlive && ((withinMs) => connector.keepAlive!(withinMs)),
    listOrganizations: () => listing('organizations', undefined, () => connector.listOrganizations()),
    listServices: (q) => listing('services', q, () => connector.listServices(q)),
    listCustomers: (q) => listing('customers', q, () => connector.listCustomers(q)),
    listBookings: (q) => listing('bookings', q, () => connector.listBookings(q)),
    getOrganizations: (refs) => batch('organizations', refs, (r) => connector.getOrganizations(r)),
    getServices: (refs) => batch('services', refs, (r) => connector.getServices(r)),
    getCustomers: (refs) => batch('customers', refs, (r) => connector.getCustomers(r)),
    getBookings: (refs) => batch('bookings', refs, (r) => connector.getBookings(r)),
    availability: (serviceRef, from, to) => connector.availability(serviceRef, from, to),
    async createCustomer(input) {
      const created = await connector.createCustomer(input);
      await drop('customers');
      return created;
    },
    async createBooking(input) {
      const created = await connector.createBooking(input);
      await drop('bookings');
      return created;
    },
    async cancelBooking(ref, reason) {
      const canceled = await connector.cancelBooking(ref, reason);
      await drop('bookings');
      return canceled;
    },
  };
}
