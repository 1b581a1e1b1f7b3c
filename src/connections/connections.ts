import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ConnectionStatus } from '../connectors/enums.js';
import type { Provider } from '../connectors/platforms.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';

/**
 * What the repository needs of the event bus (`src/events/bus.ts` satisfies it): publish, and hear
 * what every instance publishes. Declared here so this layer imports nothing above it.
 */
export interface InvalidationBus {
  publish(topic: string, payload: unknown): void;
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
}

/** One tenant's link to one account on one platform. Secrets are sealed; everything else is plain. */
export interface ConnectionRecord {
  id: string;
  tenantId: string;
  provider: Provider;
  status: ConnectionStatus;
  statusReason: string | null;
  sandbox: boolean;
  /** Who/what is connected, in words (account names). */
  label: string | null;
  /** Non-secret settings a connector discovered (organization ids, …). */
  settings: Record<string, unknown>;
  /**
   * The platform's identity of what the grant reaches (`Connected.accountId`); null until connected.
   * One tenant has at most one live connection per provider and account.
   */
  accountId?: string | null;
  /** `enc:v1:…` of the credentials JSON (client secrets, dashboard tokens, API keys). */
  sealedCredentials: string | null;
  accessTokenExpiresAt: string | null;
  lastRefreshedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function newConnectionId(): string {
  return `cn_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

/**
 * Connection records: `connection:<id>`, plus the per-tenant index `tenant:<id>:connections`.
 * Credentials are encrypted with the connection id as associated data.
 */
/** How long a tenant's connection list is reused in process, in ms (see `ConnectionRepository.lists`). */
const LIST_CACHE_TTL_MS = 2_000;
/** The event-bus topic that carries "this tenant's connections changed" (payload: the tenant id). */
const LIST_INVALIDATIONS = 'connection-lists';

export class ConnectionRepository {
  /**
   * Each tenant's connections as last read by this process: a request lists them without store
   * reads. Every write drops the tenant's entry here and, through `events` (Redis pub/sub when the
   * store is shared), in every other instance; `LIST_CACHE_TTL_MS` bounds what a lost message costs.
   */
  private readonly lists = new LRUCache<string, ConnectionRecord[]>({ max: 10_000, ttl: LIST_CACHE_TTL_MS });

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly events?: InvalidationBus,
  ) {
    if (events) void this.followInvalidations(events);
  }

  private async followInvalidations(events: InvalidationBus): Promise<void> {
    for await (const tenantId of events.subscribe<string>(LIST_INVALIDATIONS)) this.lists.delete(tenantId);
  }

  /** Drops the tenant's cached list here and in every instance that shares the event bus. */
  private changed(tenantId: string): void {
    this.lists.delete(tenantId);
    this.events?.publish(LIST_INVALIDATIONS, tenantId);
  }

  private credentialsAad(id: string): string {
    return `connection:${id}:credentials`;
  }

  /** Stores a new connection (credentials sealed here). */
  async create(input: {
    id?: string;
    tenantId: string;
    provider: Provider;
    status: ConnectionStatus;
    sandbox: boolean;
    label: string | null;
    settings: Record<string, unknown>;
    credentials: unknown;
  }): Promise<ConnectionRecord> {
    const id = input.id ?? newConnectionId();
    const now = new Date().toISOString();
    const record: ConnectionRecord = {
      id,
      tenantId: input.tenantId,
      provider: input.provider,
      status: input.status,
      statusReason: null,
      sandbox: input.sandbox,
      label: input.label,
      settings: input.settings,
      sealedCredentials: input.credentials === undefined ? null : this.box.sealJson(input.credentials, this.credentialsAad(id)),
      accessTokenExpiresAt: null,
      lastRefreshedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.withLock(`connection:${id}`, async () => {
      await this.store.set(`connection:${id}`, record);
    });
    await this.store.withLock(`tenant:${input.tenantId}:connections`, async () => {
      const index = (await this.store.get<string[]>(`tenant:${input.tenantId}:connections`)) ?? [];
      await this.store.set(`tenant:${input.tenantId}:connections`, [...index, id]);
    });
    this.changed(input.tenantId);
    return record;
  }

  async get(id: string): Promise<ConnectionRecord | undefined> {
    return this.store.get<ConnectionRecord>(`connection:${id}`);
  }

  /** The connection when it belongs to `tenantId`; undefined otherwise (same as unknown). */
  async getForTenant(tenantId: string, id: string): Promise<ConnectionRecord | undefined> {
    const c = await this.get(id);
    return c && c.tenantId === tenantId ? c : undefined;
  }

  /** The tenant's connections (shared objects: callers must not mutate them). */
  async listForTenant(tenantId: string): Promise<ConnectionRecord[]> {
    const cached = this.lists.get(tenantId);
    if (cached) return cached;
    const ids = (await this.store.get<string[]>(`tenant:${tenantId}:connections`)) ?? [];
    const all = (await Promise.all(ids.map((id) => this.get(id)))).filter((c): c is ConnectionRecord => !!c);
    this.lists.set(tenantId, all);
    return all;
  }

  /** Applies `change` under the connection's lock; returns the stored result. */
  async update(id: string, change: (c: ConnectionRecord) => Partial<ConnectionRecord>): Promise<ConnectionRecord | undefined> {
    return this.store.withLock(`connection:${id}`, async () => {
      const current = await this.get(id);
      if (!current) return undefined;
      const next = { ...current, ...change(current), updatedAt: new Date().toISOString() };
      await this.store.set(`connection:${id}`, next);
      this.changed(current.tenantId);
      return next;
    });
  }

  /** Removes the record and its place in the tenant's index. */
  async remove(id: string): Promise<void> {
    const record = await this.get(id);
    if (!record) return;
    await this.store.withLock(`tenant:${record.tenantId}:connections`, async () => {
      const index = (await this.store.get<string[]>(`tenant:${record.tenantId}:connections`)) ?? [];
      await this.store.set(
        `tenant:${record.tenantId}:connections`,
        index.filter((x) => x !== id),
      );
    });
    await this.store.withLock(`connection:${id}`, () => this.store.delete(`connection:${id}`));
    this.changed(record.tenantId);
  }

  credentialsOf<T>(c: ConnectionRecord): T {
    if (!c.sealedCredentials) return {} as T;
    return this.box.openJson<T>(c.sealedCredentials, this.credentialsAad(c.id));
  }

  sealCredentials(id: string, credentials: unknown): string {
    return this.box.sealJson(credentials, this.credentialsAad(id));
  }
}
