import { encodeId } from '../src/gateway/ids.js';
import type { Scoped } from '../src/gateway/models.js';

/** IDs by model object: models are shared between requests (see `scope`), so each is encoded once. */
const ids = new WeakMap<object, string>();

/** The global ID of a unified record. */
export function globalId(type: 'Organization' | 'Service' | 'Customer' | 'Booking', r: Scoped & { ref: string }): string {
  let id = ids.get(r);
  if (id === undefined) {
    id = encodeId({ type, provider: r.provider, connectionId: r.connectionId, ref: r.ref });
    ids.set(r, id);
  }
  return id;
}
