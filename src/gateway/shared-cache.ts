import { randomUUID } from 'node:crypto';
import type { SharedCache } from '../connectors/cache.js';
import type { Store } from '../store/store.js';

/**
 * The connector caches' second level on the gateway's store: used when the store is shared by
 * every instance (Redis), so one instance's platform answer serves the others, and a write through
 * any instance makes the next miss everywhere read fresh. Keys: `response-cache:<namespace>:<generation>:<key>`.
 */
export function storeSharedCache(store: Store): SharedCache {
  return {
    get: (key) => store.get<string>(`response-cache:${key}`),
    set: (key, json, ttlMs) => store.set(`response-cache:${key}`, json, ttlMs),
    generation: async (namespace) => (await store.get<string>(`response-cache-generation:${namespace}`)) ?? '0',
    bump: (namespace) => store.set(`response-cache-generation:${namespace}`, randomUUID()),
  };
}
