import type { ConnectionRecord } from '../connections/connections.js';
import type { CircuitSnapshot } from '../connectors/breaker.js';
import { type BookingStatus, ConnectionStatus } from '../connectors/enums.js';
import type { Provider } from '../connectors/platforms.js';
import type { Connector } from '../connectors/types.js';
import { compareMerged, connectionBound, type CursorCodec, type ListPosition } from './cursors.js';
import { GatewayError } from './errors.js';
import { decodeId, type GlobalId } from './ids.js';
import {
  type BookingModel,
  type ConnectionPage,
  type CustomerModel,
  type Edge,
  type OrganizationModel,
  type ServiceModel,
  scope,
  type TimeSlotModel,
} from './models.js';
import { guarded, platformCall, type RequestScope, type TenantConnections } from './request-scope.js';

export interface BookingArgs {
  first: number;
  after?: string | null;
  providers?: Provider[] | null;
  statuses?: BookingStatus[] | null;
  startsAfter?: Date | null;
  startsBefore?: Date | null;
  /** Restrict to one organization (Organization.bookings). */
  organization?: OrganizationModel;
  /** Restrict to one customer (Customer.bookings). */
  customer?: CustomerModel;
}

export interface ListArgs {
  first: number;
  after?: string | null;
  providers?: Provider[] | null;
  search?: string | null;
  organization?: OrganizationModel;
}

/** Largest page a connector is asked for while walking services and customers. */
const LIST_PAGE_LIMIT = 100;

/**
 * Reads across a tenant's connections: fan-out, merging, paging, node lookups and related records.
 * A platform that fails costs only its own part of the answer (reported through the request scope).
 */
export class Reads {
  constructor(private readonly deps: { scopes: TenantConnections; maxPageSize: number; cursors: CursorCodec }) {}

  /** Signs the cursors clients see and checks those they send back (webhook deliveries' too). */
  get cursors(): CursorCodec {
    return this.deps.cursors;
  }

  connectionsOf(s: RequestScope): Promise<ConnectionRecord[]> {
    return this.deps.scopes.list(s);
  }

  /** The state of a connection's circuit breaker in this instance (ProviderConnection.circuit). */
  circuitOf(connectionId: string): CircuitSnapshot {
    return this.deps.scopes.circuit(connectionId);
  }

  checkFirst(first: number): void {
    if (!Number.isInteger(first) || first < 0) throw new GatewayError('BAD_USER_INPUT', '`first` must be a whole number of 0 or more');
    if (first > this.deps.maxPageSize) throw new GatewayError('BAD_USER_INPUT', `\`first\` must be at most ${this.deps.maxPageSize}`);
  }

  async organizations(s: RequestScope, providers?: Provider[] | null): Promise<OrganizationModel[]> {
    const conns = await this.deps.scopes.readable(s, providers);
    const lists = await Promise.all(
      conns.map(({ record, connector }) =>
        guarded(s, record, 'listOrganizations', [] as OrganizationModel[], async () =>
          (await connector.listOrganizations()).map((o) => scope(o, { provider: record.provider, connectionId: record.id }, 'Organization')),
        ),
      ),
    );
    return lists.flat();
  }

  /** Organizations of one connection (ProviderConnection.organizations). */
  async organizationsOf(s: RequestScope, connectionId: string): Promise<OrganizationModel[]> {
    const conns = (await this.deps.scopes.readable(s)).filter((c) => c.record.id === connectionId);
    if (conns.length === 0) return [];
    const { record, connector } = conns[0];
    return guarded(s, record, 'listOrganizations', [] as OrganizationModel[], async () =>
      (await connector.listOrganizations()).map((o) => scope(o, { provider: record.provider, connectionId: record.id }, 'Organization')),
    );
  }

  /** Every matching booking of every connection, merged by startsAt with a keyset cursor. */
  async bookings(s: RequestScope, args: BookingArgs): Promise<ConnectionPage<BookingModel>> {
    this.checkFirst(args.first);
    const position = args.after == null ? null : this.deps.cursors.decodeBooking(s.tenant.id, args.after);
    if (args.startsAfter && args.startsBefore && args.startsAfter >= args.startsBefore) {
      throw new GatewayError('BAD_USER_INPUT', '`startsAfter` must be before `startsBefore`');
    }
    const only = args.organization ?? args.customer;
    let conns = await this.deps.scopes.readable(s, args.providers);
    if (only) conns = conns.filter((c) => c.record.id === only.connectionId);
    if (args.first === 0) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };

    const lists = await Promise.all(
      conns.map(({ record, connector }) =>
        guarded(s, record, 'listBookings', [] as BookingModel[], async () => {
          const items = await connector.listBookings({
            organizationRef: args.organization?.ref ?? args.customer?.organizationRef,
            customerRef: args.customer?.ref,
            statuses: args.statuses ?? undefined,
            startsAfter: args.startsAfter ?? undefined,
            startsBefore: args.startsBefore ?? undefined,
            after: position ? connectionBound(position, record.id) : undefined,
            limit: args.first + 1,
          });
          return items.map((b) => scope(b, { provider: record.provider, connectionId: record.id }, 'Booking'));
        }),
      ),
    );
    const merged = lists.flat().sort(compareMerged);
    const page = merged.slice(0, args.first);
    const edges = page.map((node) => ({
      cursor: this.deps.cursors.bookingCursor(s.tenant.id, node),
      node,
    }));
    return { edges, pageInfo: { hasNextPage: merged.length > args.first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  async services(s: RequestScope, args: ListArgs): Promise<ConnectionPage<ServiceModel>> {
    return this.walk(s, args, 'listServices', 'Service', (c, cursor, limit) => c.listServices({ organizationRef: args.organization?.ref, cursor, limit }));
  }

  async customers(s: RequestScope, args: ListArgs): Promise<ConnectionPage<CustomerModel>> {
    return this.walk(s, args, 'listCustomers', 'Customer', (c, cursor, limit) =>
      c.listCustomers({ organizationRef: args.organization?.ref, cursor, limit, search: args.search ?? undefined }),
    );
  }

  /**
   * Walks connections in id order, each through its own pages; the cursor names the connection, its
   * page cursor and how many of that page were handed out.
   */
  private async walk<R extends object, N extends 'Service' | 'Customer'>(
    s: RequestScope,
    args: ListArgs,
    operation: string,
    typename: N,
    list: (c: Connector, cursor: string | null, limit: number) => Promise<{ items: Array<R & { ref: string }>; nextCursor: string | null }>,
  ): Promise<ConnectionPage<R & { provider: Provider; connectionId: string; __typename: N }>> {
    this.checkFirst(args.first);
    const position = args.after == null ? null : this.deps.cursors.decodeList(s.tenant.id, args.after);
    let conns = await this.deps.scopes.readable(s, args.providers);
    if (args.organization) conns = conns.filter((c) => c.record.id === args.organization?.connectionId);
    const edges: Array<Edge<R & { provider: Provider; connectionId: string; __typename: N }>> = [];
    const want = args.first + 1;
    let index = position ? conns.findIndex((c) => c.record.id >= position.connectionId) : 0;
    let cursor: string | null = position && conns[index]?.record.id === position.connectionId ? position.cursor : null;
    let skip = position && conns[index]?.record.id === position.connectionId ? position.skip : 0;
    while (index >= 0 && index < conns.length && edges.length < want && args.first > 0) {
      const { record, connector } = conns[index];
      const page = await guarded(s, record, operation, null, () => list(connector, cursor, Math.min(LIST_PAGE_LIMIT, want - edges.length + skip)));
      if (page) {
        page.items.slice(skip).forEach((item, i) => {
          const next: ListPosition = { connectionId: record.id, cursor, skip: skip + i + 1 };
          edges.push({
            cursor: this.deps.cursors.listCursor(s.tenant.id, next),
            node: scope(item, { provider: record.provider, connectionId: record.id }, typename),
          });
        });
      }
      if (page?.nextCursor) {
        cursor = page.nextCursor;
      } else {
        index++;
        cursor = null;
      }
      skip = 0;
    }
    const pageEdges = edges.slice(0, args.first);
    return { edges: pageEdges, pageInfo: { hasNextPage: edges.length > args.first, endCursor: pageEdges.at(-1)?.cursor ?? null } };
  }

  /** Resolves a global ID of the caller's tenant; anything else (unknown, foreign, malformed) is null. */
  async node(s: RequestScope, id: string): Promise<OrganizationModel | ServiceModel | CustomerModel | BookingModel | ConnectionRecord | null> {
    const gid = decodeId(id);
    if (!gid) return null;
    const record = (await this.deps.scopes.list(s)).find((c) => c.id === gid.connectionId && c.provider === gid.provider);
    if (!record) return null;
    if (gid.type === 'ProviderConnection') return record;
    return this.load(s, record, gid);
  }

  private async load(s: RequestScope, record: ConnectionRecord, gid: GlobalId) {
    if (record.status !== ConnectionStatus.ACTIVE && record.status !== ConnectionStatus.NEEDS_REAUTH) return null;
    const loaders = this.deps.scopes.loadersFor(s, record);
    const result = await {
      Organization: () => loaders.organizations.load(gid.ref),
      Service: () => loaders.services.load(gid.ref),
      Customer: () => loaders.customers.load(gid.ref),
      Booking: () => loaders.bookings.load(gid.ref),
      ProviderConnection: async () => null,
      WebhookSubscription: async () => null,
    }[gid.type]();
    return result;
  }

  /** A related record (booking → service) through the request's loaders; failures are reported, null returned. */
  async related<K extends 'organizations' | 'services' | 'customers'>(s: RequestScope, owner: { connectionId: string }, kind: K, ref: string | null) {
    if (!ref) return null;
    const record = (await this.deps.scopes.list(s)).find((c) => c.id === owner.connectionId);
    if (!record) return null;
    return guarded(s, record, `get${kind}`, null, async () => {
      const loaders = this.deps.scopes.loadersFor(s, record);
      return (await loaders[kind].load(ref)) as Awaited<ReturnType<(typeof loaders)[K]['load']>>;
    });
  }

  async availability(s: RequestScope, serviceId: string, from: Date, to: Date): Promise<TimeSlotModel[]> {
    if (from >= to) throw new GatewayError('BAD_USER_INPUT', '`from` must be before `to`');
    if (to.getTime() - from.getTime() > 92 * 86_400_000) throw new GatewayError('BAD_USER_INPUT', 'an availability range can span at most 92 days');
    const { gid, record, connector } = await this.deps.scopes.resolveId(s, serviceId, 'Service', 'serviceId');
    const slots = await platformCall(record, 'availability', () => connector.availability(gid.ref, from, to), s);
    return slots.map((slot) => ({ ...slot, provider: record.provider, connectionId: record.id }));
  }
}
