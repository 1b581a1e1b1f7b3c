import { encodeId } from '../src/gateway/ids.js';
import type { Scoped } from '../src/gateway/models.js';

/** The global ID of a unified record. */
export function globalId(type: 'Organization' | 'Service' | 'Customer' | 'Booking', r: Scoped & { ref: string }): string {
  return encodeId({ type, provider: r.provider, connectionId: r.connectionId, ref: r.ref });
}
