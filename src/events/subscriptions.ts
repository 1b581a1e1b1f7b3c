import { randomBytes } from 'node:crypto';
import type { BookingEventType } from '../connectors/enums.js';
import type { Provider } from '../connectors/platforms.js';
import type { WebhookRegistration } from '../connectors/types.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';

/** How long a rotated-out signing secret keeps signing deliveries (next to the new one). */
export const PREVIOUS_SECRET_MS = 24 * 3_600_000;

/** One webhook subscription of a tenant on one connection. Secrets are sealed. */
export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  connectionId: string;
  provider: Provider;
  events: BookingEventType[];
  targetUrl: string | null;
  createdAt: string;
  /** `enc:v1:…` of the Standard Webhooks secret (`whsec_…`). */
  sealedSecret: string;
  /** The secret before the last rotation, while it still signs (until `previousUntil`). */
  sealedPreviousSecret: string | null;
  previousUntil: string | null;
}

/**
 * The gateway's receiver of one connection's platform pushes: `POST /webhooks/<slug>/<id>`. `id` is
 * unguessable; `sealedSecret` is the gateway's own (put where the platform echoes it) for platforms
 * the gateway registers at, the operator's (copied from the platform's web app) for the others.
 */
export interface ReceiverRecord {
  id: string;
  connectionId: string;
  tenantId: string;
  provider: Provider;
  sealedSecret: string | null;
  /** What the connector answered on its last `sync` (NATIVE platforms). */
  registration: WebhookRegistration | null;
  /** The event types registered at the platform with `registration`. */
  registeredEvents: BookingEventType[];
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const keys = {
  subscription: (id: string) => `whsub:${id}`,
  ofTenant: (tenantId: string) => `tenant:${tenantId}:whsubs`,
  ofConnection: (connectionId: string) => `connection:${connectionId}:whsubs`,
  /** Every connection with at least one subscription: what the poller walks. */
  watched: 'whsubs:connections',
  receiver: (connectionId: string) => `connection:${connectionId}:receiver`,
  receiverById: (id: string) => `whrecv:${id}`,
};

/**
 * Webhook subscriptions and receivers in the store: records by id, lists per tenant and per connection,
 * and the list of watched connections. List changes run under the store's lock of that list.
 */
export class SubscriptionRepository {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
  ) {}

  private aad(id: string, which: 'secret' | 'receiver'): string {
    return `webhook:${id}:${which}`;
  }

  private async addTo(listKey: string, value: string): Promise<void> {
    await this.store.withLock(listKey, async () => {
      const list = (await this.store.get<string[]>(listKey)) ?? [];
      if (!list.includes(value)) await this.store.set(listKey, [...list, value]);
    });
  }

  private async removeFrom(listKey: string, value: string): Promise<string[]> {
    return this.store.withLock(listKey, async () => {
      const list = ((await this.store.get<string[]>(listKey)) ?? []).filter((v) => v !== value);
      if (list.length) await this.store.set(listKey, list);
      else await this.store.delete(listKey);
      return list;
    });
  }

  async create(
    input: Omit<SubscriptionRecord, 'id' | 'createdAt' | 'sealedSecret' | 'sealedPreviousSecret' | 'previousUntil'>,
    secret: string,
  ): Promise<SubscriptionRecord> {
    const id = `whs_${randomBytes(12).toString('hex')}`;
    const record: SubscriptionRecord = {
      ...input,
      id,
      createdAt: new Date().toISOString(),
      sealedSecret: this.box.encrypt(secret, this.aad(id, 'secret')),
      sealedPreviousSecret: null,
      previousUntil: null,
    };
    await this.store.set(keys.subscription(id), record);
    await this.addTo(keys.ofConnection(input.connectionId), id);
    await this.addTo(keys.ofTenant(input.tenantId), id);
    await this.addTo(keys.watched, input.connectionId);
    return record;
  }

  get(id: string): Promise<SubscriptionRecord | undefined> {
    return this.store.get<SubscriptionRecord>(keys.subscription(id));
  }

  private async many(ids: readonly string[]): Promise<SubscriptionRecord[]> {
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is SubscriptionRecord => r !== undefined);
  }

  async listForTenant(tenantId: string): Promise<SubscriptionRecord[]> {
    return this.many((await this.store.get<string[]>(keys.ofTenant(tenantId))) ?? []);
  }

  async listForConnection(connectionId: string): Promise<SubscriptionRecord[]> {
    return this.many((await this.store.get<string[]>(keys.ofConnection(connectionId))) ?? []);
  }

  /** The connections with at least one subscription. */
  async watchedConnections(): Promise<string[]> {
    return (await this.store.get<string[]>(keys.watched)) ?? [];
  }

  /** Removes a subscription; answers the connection's remaining ones. */
  async remove(record: SubscriptionRecord): Promise<string[]> {
    await this.store.delete(keys.subscription(record.id));
    await this.removeFrom(keys.ofTenant(record.tenantId), record.id);
    const left = await this.removeFrom(keys.ofConnection(record.connectionId), record.id);
    if (left.length === 0) await this.removeFrom(keys.watched, record.connectionId);
    return left;
  }

  /** A new signing secret; the current one keeps signing for `PREVIOUS_SECRET_MS`. */
  async rotate(record: SubscriptionRecord, secret: string): Promise<SubscriptionRecord> {
    return this.store.withLock(keys.subscription(record.id), async () => {
      const current = (await this.get(record.id)) ?? record;
      const updated: SubscriptionRecord = {
        ...current,
        sealedSecret: this.box.encrypt(secret, this.aad(record.id, 'secret')),
        sealedPreviousSecret: current.sealedSecret,
        previousUntil: new Date(Date.now() + PREVIOUS_SECRET_MS).toISOString(),
      };
      await this.store.set(keys.subscription(record.id), updated);
      return updated;
    });
  }

  /** The secrets that sign deliveries now: the current one first, then the previous one while it lasts. */
  signingSecrets(record: SubscriptionRecord, now = Date.now()): string[] {
    const out = [this.box.decrypt(record.sealedSecret, this.aad(record.id, 'secret'))];
    if (record.sealedPreviousSecret && record.previousUntil && Date.parse(record.previousUntil) > now) {
      out.push(this.box.decrypt(record.sealedPreviousSecret, this.aad(record.id, 'secret')));
    }
    return out;
  }

  // Receivers --------------------------------------------------------------------------------------

  receiverOf(connectionId: string): Promise<ReceiverRecord | undefined> {
    return this.store.get<ReceiverRecord>(keys.receiver(connectionId));
  }

  async receiverById(id: string): Promise<ReceiverRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return undefined;
    const connectionId = await this.store.get<string>(keys.receiverById(id));
    return connectionId ? this.receiverOf(connectionId) : undefined;
  }

  /** The connection's receiver, made on first use (with a gateway-made secret when `ownSecret`). */
  async ensureReceiver(input: { connectionId: string; tenantId: string; provider: Provider; ownSecret: boolean }): Promise<ReceiverRecord> {
    return this.store.withLock(keys.receiver(input.connectionId), async () => {
      const existing = await this.receiverOf(input.connectionId);
      if (existing) return existing;
      const id = randomBytes(24).toString('base64url');
      const record: ReceiverRecord = {
        id,
        connectionId: input.connectionId,
        tenantId: input.tenantId,
        provider: input.provider,
        sealedSecret: input.ownSecret ? this.box.encrypt(randomBytes(32).toString('base64url'), this.aad(id, 'receiver')) : null,
        registration: null,
        registeredEvents: [],
      };
      await this.store.set(keys.receiverById(id), input.connectionId);
      await this.store.set(keys.receiver(input.connectionId), record);
      return record;
    });
  }

  /** Changes the connection's receiver under its lock (registration after a sync, the operator's secret). */
  async updateReceiver(
    connectionId: string,
    change: (r: ReceiverRecord) => Partial<ReceiverRecord> & { secret?: string },
  ): Promise<ReceiverRecord | undefined> {
    return this.store.withLock(keys.receiver(connectionId), async () => {
      const current = await this.receiverOf(connectionId);
      if (!current) return undefined;
      const { secret, ...rest } = change(current);
      const updated: ReceiverRecord = { ...current, ...rest };
      if (secret !== undefined) updated.sealedSecret = this.box.encrypt(secret, this.aad(current.id, 'receiver'));
      await this.store.set(keys.receiver(connectionId), updated);
      return updated;
    });
  }

  /** Runs `fn` alone among the connection's webhook changes (registering at the platform). */
  withConnection<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    return this.store.withLock(`connection:${connectionId}:webhooks`, fn);
  }

  receiverSecret(receiver: ReceiverRecord): string | null {
    return receiver.sealedSecret ? this.box.decrypt(receiver.sealedSecret, this.aad(receiver.id, 'receiver')) : null;
  }

  async removeReceiver(receiver: ReceiverRecord): Promise<void> {
    await this.store.delete(keys.receiverById(receiver.id));
    await this.store.delete(keys.receiver(receiver.connectionId));
  }
}
