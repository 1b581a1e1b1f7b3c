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

  /** Creates a tenant with a new key (or with `apiKey` when given, e.g. DEMO_API_KEY). */
  async create(name: string, apiKey: string = generateApiKey()): Promise<{ tenant: Tenant; apiKey: string }> {
    const clean = name.trim();
    if (!clean) throw new Error('a tenant needs a name');
    const tenant: Tenant = { id: `tn_${randomUUID().replace(/-/g, '').slice(0, 20)}`, name: clean, createdAt: new Date().toISOString() };
    await this.store.set(`tenant:${tenant.id}`, tenant);
    await this.addKey(tenant.id, apiKey);
    const index = (await this.store.get<string[]>('tenants')) ?? [];
    await this.store.set('tenants', [...index, tenant.id]);
    return { tenant, apiKey };
  }

  /** Registers another key for a tenant (key rotation, or a fixed demo key). */
  async addKey(tenantId: string, apiKey: string): Promise<void> {
    const record: ApiKeyRecord = { tenantId, prefix: apiKey.slice(0, 7), createdAt: new Date().toISOString() };
    await this.store.set(`apikey:${hashApiKey(apiKey)}`, record);
  }

  /** The tenant a presented key belongs to, or null (unknown, malformed). */
  async authenticate(apiKey: string | null | undefined): Promise<Tenant | null> {
    if (!apiKey || apiKey.length < 16 || apiKey.length > 512) return null;
    const hash = hashApiKey(apiKey);
    const seen = this.recent.get(hash);
    if (seen) return seen;
    const record = await this.store.get<ApiKeyRecord>(`apikey:${hash}`);
    const tenant = record ? await this.get(record.tenantId) : undefined;
    if (tenant) this.recent.set(hash, tenant);
    return tenant ?? null;
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
