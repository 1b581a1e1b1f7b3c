import type { Provider } from '../connectors/platforms.js';
import type { UnifiedBooking, UnifiedCustomer, UnifiedOrganization, UnifiedService, UnifiedTimeSlot } from '../connectors/types.js';

/** Where a unified record came from; every model the resolvers see carries it. */
export interface Scoped {
  provider: Provider;
  connectionId: string;
}

export type OrganizationModel = UnifiedOrganization & Scoped & { __typename: 'Organization' };
export type ServiceModel = UnifiedService & Scoped & { __typename: 'Service' };
export type CustomerModel = UnifiedCustomer & Scoped & { __typename: 'Customer' };
export type BookingModel = UnifiedBooking & Scoped & { __typename: 'Booking' };
export type TimeSlotModel = UnifiedTimeSlot & Scoped;

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionPage<T> {
  edges: Array<Edge<T>>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Scoped models by the record they were made from. A record object belongs to one connection (the
 * response cache hands the same objects to every request), so its model is made once and shared.
 */
const scoped = new WeakMap<object, object>();

/** The model of `record` from connection `s` (shared: callers must not mutate it). */
export function scope<T extends object, N extends string>(record: T, s: Scoped, typename: N): T & Scoped & { __typename: N } {
  const hit = scoped.get(record) as (T & Scoped & { __typename: N }) | undefined;
  if (hit && hit.__typename === typename && hit.connectionId === s.connectionId) return hit;
  const model = { ...record, provider: s.provider, connectionId: s.connectionId, __typename: typename };
  scoped.set(record, model);
  return model;
}
