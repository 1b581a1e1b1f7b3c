import { LRUCache } from 'lru-cache';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

interface ApiKeyRecord {
  tenantId: string;
  /** First characters of the key, for people to tell keys apart; not enough to use it. */
  prefix: string;
  createdAt: string;
}

const KEY_PREFIX = 'bg_';

/** `create` with a name another tenant has. */
export class TenantNameTakenError extends Error {
  constructor(
    readonly tenantName: string,
    readonly tenantId: string,
  ) {
    super(`a tenant named "${tenantName}" already exists (${tenantId}); choose another name`);
  }
}

/** SHA-256 hex of an API key: the only form in which keys are stored. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** A new API key: `bg_` + 256 random bits, base64url. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Tenants and their API keys. A key is shown once, at creation; the store keeps only its hash
 * (`apikey:<sha256>`), so a leaked store does not leak keys.
 */
/** How long an authenticated key is remembered in process, in ms. */
const AUTH_CACHE_TTL_MS = 30_000;

export class TenantService {
  /**
   * Keys seen recently, by hash: a request authenticates without a store read. A key removed from
   * the store stops working after at most `AUTH_CACHE_TTL_MS`.
   */
  private readonly recent = new LRUCache<string, Tenant>({ max: 10_000, ttl: AUTH_CACHE_TTL_MS });

  constructor(private readonly store: Store) {}

  /**
   * Creates a tenant with a new key (or with `apiKey` when given, e.g. DEMO_API_KEY).
   * @throws TenantNameTakenError when a tenant already has that name (after trimming).
   */
  async create(name: string, apiKey: string = generateApiKey()): Promise<{ tenant: Tenant; apiKey: string }> {
    const clean = name.trim();
    if (!clean) throw new Error('a tenant needs a name');
    const existing = await this.findByName(clean);
    if (existing) throw new TenantNameTakenError(clean, existing.id);
    const tenant: Tenant = { id: `tn_${randomUUID().replace(/-/g, '').slice(0, 20)}`, name: clean, createdAt: new Date().toISOString() };
    await this.store.set(`tenant:${tenant.id}`, tenant);
    await this.addKey(tenant.id, apiKey);
    const index = (await this.store.get<string[]>('tenants')) ?? [];
    await this.store.set('tenants', [...index, tenant.id]);
    return { tenant, apiKey };
  }

  /**
   * Registers another key for a tenant (a fixed demo key), beside its others. Each tenant's key hashes
   * are listed at `tenantkeys:<id>`, so they can be revoked (`rotateKey`, `delete`).
   */
  async addKey(tenantId: string, apiKey: string): Promise<void> {
    const hash = hashApiKey(apiKey);
    const record: ApiKeyRecord = { tenantId, prefix: apiKey.slice(0, 7), createdAt: new Date().toISOString() };
    await this.store.set(`apikey:${hash}`, record);
    const hashes = (await this.store.get<string[]>(`tenantkeys:${tenantId}`)) ?? [];
    if (!hashes.includes(hash)) await this.store.set(`tenantkeys:${tenantId}`, [...hashes, hash]);
  }

  /**
   * Gives the tenant a new key and revokes every other (their records are deleted; a key of a tenant
   * made before keys were listed is refused because it is not on the list). Returns the new key, to
   * show once. This process forgets the old keys at once; another process that authenticated one
   * within the last `AUTH_CACHE_TTL_MS` may accept it that long.
   */
  async rotateKey(tenantId: string): Promise<string> {
    const apiKey = generateApiKey();
    await this.revokeKeys(tenantId);
    await this.addKey(tenantId, apiKey);
    return apiKey;
  }

  /** Removes the tenant, its keys and its place in the list (its connections are the caller's to remove first). */
  async delete(tenantId: string): Promise<void> {
    await this.revokeKeys(tenantId);
    await this.store.delete(`tenantkeys:${tenantId}`);
    await this.store.delete(`tenant:${tenantId}`);
    const index = (await this.store.get<string[]>('tenants')) ?? [];
    await this.store.set(
      'tenants',
      index.filter((id) => id !== tenantId),
    );
  }

  /** The tenant with this id, else the one with this name. */
  async resolve(idOrName: string): Promise<Tenant | undefined> {
    return (await this.get(idOrName)) ?? (await this.findByName(idOrName.trim()));
  }

  private async revokeKeys(tenantId: string): Promise<void> {
    const hashes = (await this.store.get<string[]>(`tenantkeys:${tenantId}`)) ?? [];
    for (const hash of hashes) await this.store.delete(`apikey:${hash}`);
    await this.store.set(`tenantkeys:${tenantId}`, []);
    for (const [hash, tenant] of this.recent.entries()) if (tenant.id === tenantId) this.recent.delete(hash);
  }

  /** The tenant a presented key belongs to, or null (unknown, malformed). */
  async authenticate(apiKey: string | null | undefined): Promise<Tenant | null> {
    if (!apiKey || apiKey.length < 16 || apiKey.length > 512) return null;
    const hash = hashApiKey(apiKey);
    const seen = this.recent.get(hash);
    if (seen) return seen;
    const record = await this.store.get<ApiKeyRecord>(`apikey:${hash}`);
    const tenant = record && (await this.isListed(record.tenantId, hash)) ? await this.get(record.tenantId) : undefined;
    if (tenant) this.recent.set(hash, tenant);
    return tenant ?? null;
  }

  /** A key of a tenant whose keys are listed must be on the list (a tenant from before the list: any). */
  private async isListed(tenantId: string, hash: string): Promise<boolean> {
    const hashes = await this.store.get<string[]>(`tenantkeys:${tenantId}`);
    return !hashes || hashes.includes(hash);
  }

  async get(id: string): Promise<Tenant | undefined> {
    return this.store.get<Tenant>(`tenant:${id}`);
  }

  async list(): Promise<Tenant[]> {
    const ids = (await this.store.get<string[]>('tenants')) ?? [];
    const tenants = await Promise.all(ids.map((id) => this.get(id)));
    return tenants.filter((t): t is Tenant => !!t);
  }

  async findByName(name: string): Promise<Tenant | undefined> {
    return (await this.list()).find((t) => t.name === name);
  }
}
