import DataLoader from 'dataloader';
import type { ConnectionRecord } from '../connections/connections.js';
import { asProviderError } from '../connectors/errors.js';
import type { CallDeadlines } from '../connectors/http.js';
import type { Connector } from '../connectors/types.js';
import { type BookingModel, type CustomerModel, type OrganizationModel, type ServiceModel, scope } from './models.js';

export interface ConnectionLoaders {
  organizations: DataLoader<string, OrganizationModel | null>;
  services: DataLoader<string, ServiceModel | null>;
  customers: DataLoader<string, CustomerModel | null>;
  bookings: DataLoader<string, BookingModel | null>;
}

/**
 * Per-request DataLoaders, one set per connection (DataLoader README: build them per request).
 * Each batch becomes one `get*` call on the connector, so 50 bookings with their customers and
 * services cost one customer batch and one service batch per connection, not one call per booking.
 */
export class RequestLoaders {
  private readonly byConnection = new Map<string, ConnectionLoaders>();

  /** @param deadlines the request's deadlines: a batch's platform calls share its connection's. */
  constructor(private readonly deadlines: CallDeadlines) {}

  for(connection: ConnectionRecord, connector: Connector): ConnectionLoaders {
    let loaders = this.byConnection.get(connection.id);
    if (!loaders) {
      const s = { provider: connection.provider, connectionId: connection.id };
      const batch = <R extends object, N extends string>(operation: string, get: (refs: readonly string[]) => Promise<Array<R | null>>, typename: N) =>
        new DataLoader<string, (R & typeof s & { __typename: N }) | null>(async (refs) => {
          try {
            const found = await this.deadlines.bounded(connection.id, connection.provider, operation, () => get(refs));
            return found.map((r) => (r ? scope(r, s, typename) : null));
          } catch (err) {
            const e = asProviderError(err, connection.provider, operation);
            return refs.map(() => e);
          }
        });
      loaders = {
        organizations: batch('getOrganizations', (r) => connector.getOrganizations(r), 'Organization'),
        services: batch('getServices', (r) => connector.getServices(r), 'Service'),
        customers: batch('getCustomers', (r) => connector.getCustomers(r), 'Customer'),
        bookings: batch('getBookings', (r) => connector.getBookings(r), 'Booking'),
      };
      this.byConnection.set(connection.id, loaders);
    }
    return loaders;
  }
}
