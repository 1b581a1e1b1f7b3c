import { createHash } from 'node:crypto';
import { ZodError } from 'zod';
import type { Tenant } from '../auth/tenants.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { newConnectionId } from '../connections/connections.js';
import { asProviderError, ProviderError } from '../connectors/errors.js';
import { type BookingStatus, ConnectionStatus, PROVIDER_NAMES, type Provider } from '../connectors/provider.js';
import type { Connector } from '../connectors/types.js';
import type { Store } from '../store/store.js';
import type { TokenManager } from '../tokens/token-manager.js';
import type { ConnectorHub } from './connector-hub.js';
import {
  compareMerged,
  connectionBound,
  decodeBookingCursor,
  decodeListCursor,
  encodeBookingCursor,
  encodeListCursor,
  type ListPosition,
} from './cursors.js';
import { GatewayError } from './errors.js';
import { decodeId, type GlobalId, type NodeType } from './ids.js';
import { RequestLoaders } from './loaders.js';
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

/** A platform that failed during a read: reported per connection, the rest of the answer stands. */
export interface ProviderFailure {
  connection: ConnectionRecord;
  error: ProviderError;
}

/** Per-request state: who asks, the request's DataLoaders, and where partial failures go. */
export interface RequestScope {
  tenant: Tenant;
  loaders: RequestLoaders;
  /** Work done once per request and shared by every field (the tenant's connections). */
  memo: { connections?: Promise<ConnectionRecord[]> };
  onFailure(failure: ProviderFailure): void;
}

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

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * The gateway's work, called by thin resolvers: fan-out over a tenant's connections, merging,
 * paging, node lookups, writes and connection lifecycle. Platform specifics stay in connectors.
 */
export class Gateway {
  constructor(
    private readonly deps: {
      store: Store;
      connections: ConnectionRepository;
      hub: ConnectorHub;
      tokens: TokenManager;
      maxPageSize: number;
      onConnectionChanged?: (c: ConnectionRecord) => void;
    },
  ) {}

  newScope(tenant: Tenant, onFailure: (f: ProviderFailure) => void): RequestScope {
    return { tenant, loaders: new RequestLoaders(), memo: {}, onFailure };
  }

  connectionsOf(s: RequestScope): Promise<ConnectionRecord[]> {
    s.memo.connections ??= this.deps.connections.listForTenant(s.tenant.id);
    return s.memo.connections;
  }

  /**
   * The connections a read should ask: ACTIVE ones with a connector, optionally of some providers.
   * NEEDS_REAUTH connections are reported (code NEEDS_REAUTH) without calling the platform.
   */
  private async readable(s: RequestScope, providers?: Provider[] | null): Promise<Array<{ record: ConnectionRecord; connector: Connector }>> {
    const all = await this.connectionsOf(s);
    const out: Array<{ record: ConnectionRecord; connector: Connector }> = [];
    for (const record of all) {
      if (providers?.length && !providers.includes(record.provider)) continue;
      if (record.status === ConnectionStatus.NEEDS_REAUTH) {
        s.onFailure({
          connection: record,
          error: new ProviderError(record.provider, 'read', 'NEEDS_REAUTH', `${record.provider} needs to be connected again: ${record.statusReason ?? 'the platform refused the grant'}`),
        });
        continue;
      }
      if (record.status !== ConnectionStatus.ACTIVE) continue;
      const connector = this.deps.hub.connector(record);
      if (connector) out.push({ record, connector });
    }
    return out.sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
  }

  /** Runs `work` on one connection; a failure is reported and becomes `fallback`. */
  private async guarded<T>(s: RequestScope, record: ConnectionRecord, operation: string, fallback: T, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      s.onFailure({ connection: record, error: asProviderError(err, record.provider, operation) });
      return fallback;
    }
  }

  checkFirst(first: number): void {
    if (!Number.isInteger(first) || first < 0) throw new GatewayError('BAD_USER_INPUT', '`first` must be a whole number of 0 or more');
    if (first > this.deps.maxPageSize) throw new GatewayError('BAD_USER_INPUT', `\`first\` must be at most ${this.deps.maxPageSize}`);
  }

  async organizations(s: RequestScope, providers?: Provider[] | null): Promise<OrganizationModel[]> {
    const conns = await this.readable(s, providers);
    const lists = await Promise.all(
      conns.map(({ record, connector }) =>
        this.guarded(s, record, 'listOrganizations', [] as OrganizationModel[], async () =>
          (await connector.listOrganizations()).map((o) => scope(o, { provider: record.provider, connectionId: record.id }, 'Organization')),
        ),
      ),
    );
    return lists.flat();
  }

  /** Organizations of one connection (ProviderConnection.organizations). */
  async organizationsOf(s: RequestScope, connectionId: string): Promise<OrganizationModel[]> {
    const conns = (await this.readable(s)).filter((c) => c.record.id === connectionId);
    if (conns.length === 0) return [];
    const { record, connector } = conns[0];
    return this.guarded(s, record, 'listOrganizations', [] as OrganizationModel[], async () =>
      (await connector.listOrganizations()).map((o) => scope(o, { provider: record.provider, connectionId: record.id }, 'Organization')),
    );
  }

  /** Every matching booking of every connection, merged by startsAt with a keyset cursor. */
  async bookings(s: RequestScope, args: BookingArgs): Promise<ConnectionPage<BookingModel>> {
    this.checkFirst(args.first);
    const position = args.after ? decodeBookingCursor(args.after) : null;
    if (args.after && !position) throw new GatewayError('BAD_USER_INPUT', '`after` is not a cursor of this list');
    if (args.startsAfter && args.startsBefore && args.startsAfter >= args.startsBefore) {
      throw new GatewayError('BAD_USER_INPUT', '`startsAfter` must be before `startsBefore`');
    }
    const only = args.organization ?? args.customer;
    let conns = await this.readable(s, args.providers);
    if (only) conns = conns.filter((c) => c.record.id === only.connectionId);
    if (args.first === 0) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };

    const lists = await Promise.all(
      conns.map(({ record, connector }) =>
        this.guarded(s, record, 'listBookings', [] as BookingModel[], async () => {
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
      cursor: encodeBookingCursor({ startsAt: node.startsAt.getTime(), connectionId: node.connectionId, ref: node.ref }),
      node,
    }));
    return { edges, pageInfo: { hasNextPage: merged.length > args.first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  async services(s: RequestScope, args: ListArgs): Promise<ConnectionPage<ServiceModel>> {
    return this.walk(s, args, 'listServices', 'Service', (c, cursor, limit) =>
      c.listServices({ organizationRef: args.organization?.ref, cursor, limit }),
    );
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
    const position = args.after ? decodeListCursor(args.after) : null;
    if (args.after && !position) throw new GatewayError('BAD_USER_INPUT', '`after` is not a cursor of this list');
    let conns = await this.readable(s, args.providers);
    if (args.organization) conns = conns.filter((c) => c.record.id === args.organization?.connectionId);
    const edges: Array<Edge<R & { provider: Provider; connectionId: string; __typename: N }>> = [];
    const want = args.first + 1;
    let index = position ? conns.findIndex((c) => c.record.id >= position.connectionId) : 0;
    let cursor: string | null = position && conns[index]?.record.id === position.connectionId ? position.cursor : null;
    let skip = position && conns[index]?.record.id === position.connectionId ? position.skip : 0;
    while (index >= 0 && index < conns.length && edges.length < want && args.first > 0) {
      const { record, connector } = conns[index];
      const page = await this.guarded(s, record, operation, null, () => list(connector, cursor, Math.min(100, want - edges.length + skip)));
      if (page) {
        page.items.slice(skip).forEach((item, i) => {
          const next: ListPosition = { connectionId: record.id, cursor, skip: skip + i + 1 };
          edges.push({ cursor: encodeListCursor(next), node: scope(item, { provider: record.provider, connectionId: record.id }, typename) });
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
    const record = (await this.connectionsOf(s)).find((c) => c.id === gid.connectionId && c.provider === gid.provider);
    if (!record) return null;
    if (gid.type === 'ProviderConnection') return record;
    return this.load(s, record, gid);
  }

  private async load(s: RequestScope, record: ConnectionRecord, gid: GlobalId) {
    if (record.status !== ConnectionStatus.ACTIVE && record.status !== ConnectionStatus.NEEDS_REAUTH) return null;
    const loaders = this.loadersFor(s, record);
    if (!loaders) return null;
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

  loadersFor(s: RequestScope, record: ConnectionRecord) {
    if (record.status === ConnectionStatus.NEEDS_REAUTH) {
      throw new ProviderError(record.provider, 'read', 'NEEDS_REAUTH', `${record.provider} needs to be connected again: ${record.statusReason ?? 'the platform refused the grant'}`);
    }
    const connector = this.deps.hub.connector(record);
    return connector ? s.loaders.for(record, connector) : undefined;
  }

  /** A related record (booking → service) through the request's loaders; failures are reported, null returned. */
  async related<K extends 'organizations' | 'services' | 'customers'>(
    s: RequestScope,
    owner: { connectionId: string },
    kind: K,
    ref: string | null,
  ) {
    if (!ref) return null;
    const record = (await this.connectionsOf(s)).find((c) => c.id === owner.connectionId);
    if (!record) return null;
    return this.guarded(s, record, `get${kind}`, null, async () => {
      const loaders = this.loadersFor(s, record);
      return loaders ? ((await loaders[kind].load(ref)) as Awaited<ReturnType<NonNullable<typeof loaders>[K]['load']>>) : null;
    });
  }

  /** Decodes a global ID of `type` that must belong to the tenant; throws BAD_USER_INPUT otherwise. */
  async resolveId(s: RequestScope, id: string, type: NodeType, argName: string): Promise<{ gid: GlobalId; record: ConnectionRecord; connector: Connector }> {
    const gid = decodeId(id);
    const record = gid && gid.type === type ? (await this.connectionsOf(s)).find((c) => c.id === gid.connectionId && c.provider === gid.provider) : undefined;
    if (!gid || !record) throw new GatewayError('BAD_USER_INPUT', `\`${argName}\` is not the ID of a ${type} you can access`);
    if (record.status === ConnectionStatus.NEEDS_REAUTH) {
      throw new GatewayError('NEEDS_REAUTH', `${record.provider} needs to be connected again: ${record.statusReason ?? ''}`.trim(), { provider: record.provider });
    }
    const connector = record.status === ConnectionStatus.ACTIVE ? this.deps.hub.connector(record) : undefined;
    if (!connector) throw new GatewayError('BAD_USER_INPUT', `the connection of \`${argName}\` is ${record.status.toLowerCase()}`, { provider: record.provider });
    return { gid, record, connector };
  }

  async availability(s: RequestScope, serviceId: string, from: Date, to: Date): Promise<TimeSlotModel[]> {
    if (from >= to) throw new GatewayError('BAD_USER_INPUT', '`from` must be before `to`');
    if (to.getTime() - from.getTime() > 92 * 86_400_000) throw new GatewayError('BAD_USER_INPUT', 'an availability range can span at most 92 days');
    const { gid, record, connector } = await this.resolveId(s, serviceId, 'Service', 'serviceId');
    const slots = await platformCall(record, 'availability', () => connector.availability(gid.ref, from, to));
    return slots.map((slot) => ({ ...slot, provider: record.provider, connectionId: record.id }));
  }

  async createCustomer(
    s: RequestScope,
    input: { organizationId: string; firstName: string; lastName: string; email?: string | null; phone?: string | null },
  ): Promise<CustomerModel> {
    const firstName = input.firstName.trim();
    const lastName = input.lastName.trim();
    if (!firstName || !lastName) throw new GatewayError('BAD_USER_INPUT', '`firstName` and `lastName` must not be empty');
    if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) throw new GatewayError('BAD_USER_INPUT', '`email` is not an e-mail address');
    const { gid, record, connector } = await this.resolveId(s, input.organizationId, 'Organization', 'organizationId');
    const created = await platformCall(record, 'createCustomer', () =>
      connector.createCustomer({ organizationRef: gid.ref, firstName, lastName, email: input.email ?? null, phone: input.phone ?? null }),
    );
    return scope(created, { provider: record.provider, connectionId: record.id }, 'Customer');
  }

  /**
   * Creates a booking; with an `idempotencyKey`, a repeat (same tenant, same key, same input) returns
   * the first booking and creates nothing. The key is held under a lock while the platform call
   * runs, so concurrent repeats wait for the first and get its booking.
   */
  async createBooking(s: RequestScope, input: { serviceId: string; customerId: string; startsAt: Date; idempotencyKey?: string | null }): Promise<BookingModel> {
    const service = await this.resolveId(s, input.serviceId, 'Service', 'serviceId');
    const customer = await this.resolveId(s, input.customerId, 'Customer', 'customerId');
    if (service.record.id !== customer.record.id) {
      throw new GatewayError('BAD_USER_INPUT', '`serviceId` and `customerId` belong to different connections');
    }
    const { record, connector } = service;
    const create = async () =>
      scope(
        await platformCall(record, 'createBooking', () =>
          connector.createBooking({ serviceRef: service.gid.ref, customerRef: customer.gid.ref, startsAt: input.startsAt }),
        ),
        { provider: record.provider, connectionId: record.id },
        'Booking',
      );
    const key = input.idempotencyKey?.trim();
    if (!key) return create();
    if (key.length > 255) throw new GatewayError('BAD_USER_INPUT', '`idempotencyKey` must be at most 255 characters');
    const storeKey = `idem:${s.tenant.id}:${createHash('sha256').update(key).digest('hex')}`;
    const fingerprint = createHash('sha256').update(JSON.stringify([input.serviceId, input.customerId, input.startsAt.toISOString()])).digest('hex');
    return this.deps.store.withLock(storeKey, async () => {
      const seen = await this.deps.store.get<{ fingerprint: string; connectionId: string; ref: string }>(storeKey);
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw new GatewayError('BAD_USER_INPUT', 'this `idempotencyKey` was already used for a different booking request');
        }
        const again = await platformCall(record, 'getBookings', () => connector.getBookings([seen.ref]));
        if (again[0]) return scope(again[0], { provider: record.provider, connectionId: record.id }, 'Booking');
        throw new GatewayError('NOT_FOUND', 'the booking created with this `idempotencyKey` no longer exists');
      }
      const booking = await create();
      await this.deps.store.set(storeKey, { fingerprint, connectionId: record.id, ref: booking.ref }, IDEMPOTENCY_TTL_MS);
      return booking;
    });
  }

  async cancelBooking(s: RequestScope, id: string, reason: string | null): Promise<BookingModel> {
    const { gid, record, connector } = await this.resolveId(s, id, 'Booking', 'id');
    const booking = await platformCall(record, 'cancelBooking', () => connector.cancelBooking(gid.ref, reason));
    return scope(booking, { provider: record.provider, connectionId: record.id }, 'Booking');
  }

  /**
   * Connects a server-to-server platform: validates the credentials' shape, checks them with the
   * platform (a real token request) and discovers its organizations. Nothing is stored unless that
   * succeeds.
   */
  async connectProvider(
    tenant: Tenant,
    input: { provider: Provider; credentials: unknown; sandbox: boolean },
    opts: { replace?: ConnectionRecord } = {},
  ): Promise<ConnectionRecord> {
    const module = this.deps.hub.module(input.provider);
    if (!module?.connect) {
      throw new GatewayError('BAD_USER_INPUT', `${input.provider} is not connected with credentials${module ? ': use startConnection' : ' by this gateway yet'}`);
    }
    let credentials: unknown;
    try {
      credentials = module.parseCredentials(input.credentials ?? {});
    } catch (err) {
      if (err instanceof ZodError) {
        const detail = err.issues.map((i) => `${i.path.join('.') || 'credentials'}: ${i.message}`).join('; ');
        throw new GatewayError('BAD_USER_INPUT', `invalid ${input.provider} credentials: ${detail}`);
      }
      throw err;
    }
    const replace = opts.replace?.tenantId === tenant.id && opts.replace.provider === input.provider ? opts.replace : undefined;
    const id = replace?.id ?? newConnectionId();
    const ctx = this.deps.hub.context({ id, provider: input.provider, sandbox: input.sandbox, credentials, settings: {} });
    if (replace) {
      await ctx.tokens.clear();
      this.deps.hub.forget(id);
    }
    let result: { settings: Record<string, unknown>; label: string };
    try {
      result = await module.connect(ctx);
    } catch (err) {
      await ctx.tokens.clear();
      throw toGatewayError(asProviderError(err, input.provider, 'connect'));
    }
    const record = replace
      ? ((await this.deps.connections.update(id, () => ({
          status: ConnectionStatus.ACTIVE,
          statusReason: null,
          sandbox: input.sandbox,
          label: result.label,
          settings: result.settings,
          sealedCredentials: this.deps.connections.sealCredentials(id, credentials),
        }))) as ConnectionRecord)
      : await this.deps.connections.create({
          id,
          tenantId: tenant.id,
          provider: input.provider,
          status: ConnectionStatus.ACTIVE,
          sandbox: input.sandbox,
          label: result.label,
          settings: result.settings,
          credentials,
        });
    const tokenState = await ctx.tokens.peek('default');
    const stored =
      (await this.deps.connections.update(id, () => ({
        lastRefreshedAt: tokenState ? new Date(tokenState.obtainedAt).toISOString() : null,
        accessTokenExpiresAt: tokenState?.expiresAt ? new Date(tokenState.expiresAt).toISOString() : null,
      }))) ?? record;
    this.deps.onConnectionChanged?.(stored);
    return stored;
  }

  /**
   * Asks the platform for the connection's organizations: a cheap proof that its grant works.
   * Returns null when it does, else the error (a refused grant has already moved it to NEEDS_REAUTH).
   */
  async probe(record: ConnectionRecord): Promise<ProviderError | null> {
    const connector = this.deps.hub.connector(record);
    if (!connector) return null;
    try {
      await connector.listOrganizations();
      return null;
    } catch (err) {
      return asProviderError(err, record.provider, 'probe');
    }
  }

  /** The tenant's connection a `startConnection(connectionId:)` names, checked; undefined for none. */
  async connectionForReauthorization(tenant: Tenant, provider: Provider, connectionId: string | null): Promise<ConnectionRecord | undefined> {
    if (!connectionId) return undefined;
    const gid = decodeId(connectionId);
    const record = gid?.type === 'ProviderConnection' ? await this.deps.connections.getForTenant(tenant.id, gid.connectionId) : undefined;
    if (!record || record.provider !== provider) {
      throw new GatewayError('BAD_USER_INPUT', `\`connectionId\` is not the ID of one of your ${provider} connections`);
    }
    if (record.status === ConnectionStatus.ACTIVE) throw new GatewayError('BAD_USER_INPUT', 'that connection is ACTIVE: nothing to re-authorize');
    return record;
  }

  /** Revokes at the platform where it can, forgets tokens and credentials, marks DISCONNECTED. */
  async disconnectProvider(tenant: Tenant, connectionId: string): Promise<ConnectionRecord> {
    const gid = decodeId(connectionId);
    const record = gid?.type === 'ProviderConnection' ? await this.deps.connections.getForTenant(tenant.id, gid.connectionId) : undefined;
    if (!record) throw new GatewayError('BAD_USER_INPUT', '`connectionId` is not the ID of a connection you can access');
    let reason: string | null = null;
    const module = this.deps.hub.module(record.provider);
    if (module?.revoke && record.status !== ConnectionStatus.DISCONNECTED) {
      try {
        await module.revoke(this.deps.hub.context({ id: record.id, provider: record.provider, sandbox: record.sandbox, credentials: this.deps.connections.credentialsOf(record), settings: record.settings }));
      } catch (err) {
        reason = `Disconnected here; revoking at ${PROVIDER_NAMES[record.provider]} failed (${asProviderError(err, record.provider, 'revoke').message}), so the grant may still exist there`;
      }
    }
    await this.deps.tokens.forConnection(record.id).clear();
    this.deps.hub.forget(record.id);
    const updated = await this.deps.connections.update(record.id, () => ({
      status: ConnectionStatus.DISCONNECTED,
      statusReason: reason ?? 'Disconnected by the tenant',
      sealedCredentials: null,
      accessTokenExpiresAt: null,
    }));
    if (updated) this.deps.onConnectionChanged?.(updated);
    return updated ?? record;
  }
}

/** Runs a platform call for a mutation or single lookup; failures become GraphQL-ready errors. */
async function platformCall<T>(record: ConnectionRecord, operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toGatewayError(asProviderError(err, record.provider, operation));
  }
}

export function toGatewayError(err: ProviderError): GatewayError {
  return new GatewayError(err.code, err.message, { provider: err.provider, ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}) });
}
