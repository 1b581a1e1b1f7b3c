import type { Logger } from 'pino';
import type { Tenant } from '../auth/tenants.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { BookingEventType, ConnectionStatus, WebhookMode } from '../connectors/enums.js';
import { asProviderError } from '../connectors/errors.js';
import { displayName, platformBySlug, platformOf } from '../connectors/platforms.js';
import type { Connector, PushedRequest } from '../connectors/types.js';
import { GatewayError, toClientError } from '../gateway/errors.js';
import { decodeId, encodeId } from '../gateway/ids.js';
import type { DeliveryQueue, DeliveryStatus } from './delivery.js';
import type { EventIntake } from './intake.js';
import type { Poller } from './poller.js';
import { newSigningSecret, type ReceiverRecord, type SubscriptionRecord, type SubscriptionRepository } from './subscriptions.js';
import { checkTargetUrl } from './target-url.js';

/** Webhook subscriptions one tenant may have (every one costs polling and deliveries). */
const MAX_SUBSCRIPTIONS_PER_TENANT = 100;
/** Longest operator-supplied receiver secret accepted. */
const MAX_SECRET_LENGTH = 512;
/** Shortest operator-supplied receiver secret accepted (Appointedd's is whatever the operator types). */
const MIN_SECRET_LENGTH = 16;

/** A subscription as GraphQL shows it (`WebhookSubscription`). */
export interface WebhookSubscriptionModel {
  __typename: 'WebhookSubscription';
  id: string;
  record: SubscriptionRecord;
  connection: ConnectionRecord;
  events: BookingEventType[];
  mode: WebhookMode;
  targetUrl: string | null;
  createdAt: Date;
  /** Only right after `subscribeWebhook` and `rotateWebhookSecret`. */
  signingSecret: string | null;
  receiverUrl: string | null;
}

/**
 * Webhook subscriptions for GraphQL: subscribe (registering the gateway's receiver at the platform
 * where it has a webhook API, taking the polling baseline), unsubscribe (removing what was
 * registered), secret rotation, delivery listing and replay, and the receiver of platform pushes.
 */
export class WebhookService {
  /** Since start: platform pushes refused at the receiver (unknown receiver, not verified). */
  readonly stats = { refused: 0, accepted: 0 };

  constructor(
    private readonly deps: {
      subscriptions: SubscriptionRepository;
      connections: ConnectionRepository;
      connector(record: ConnectionRecord): Connector;
      intake: EventIntake;
      poller: Poller;
      deliveries: DeliveryQueue;
      /** Sandbox mode lets targets on loopback and private addresses through. */
      allowPrivateTargets: boolean;
      publicUrl(): string;
      log: Logger;
    },
  ) {}

  // GraphQL operations --------------------------------------------------------------------------------

  async subscribe(tenant: Tenant, input: { connectionId: string; events: BookingEventType[]; targetUrl?: string | null }): Promise<WebhookSubscriptionModel> {
    const record = await this.connectionOf(tenant, input.connectionId);
    if (record.status !== ConnectionStatus.ACTIVE) {
      throw new GatewayError('BAD_USER_INPUT', `that connection is ${record.status.toLowerCase()}: webhooks need an ACTIVE connection`, {
        provider: record.provider,
      });
    }
    const events = [...new Set(input.events)];
    if (events.length === 0) throw new GatewayError('BAD_USER_INPUT', '`events` must name at least one event type');
    const targetUrl = input.targetUrl?.trim() ? (await checkTargetUrl(input.targetUrl.trim(), { allowPrivate: this.deps.allowPrivateTargets })).href : null;
    if ((await this.deps.subscriptions.listForTenant(tenant.id)).length >= MAX_SUBSCRIPTIONS_PER_TENANT) {
      throw new GatewayError('BAD_USER_INPUT', `a tenant can have at most ${MAX_SUBSCRIPTIONS_PER_TENANT} webhook subscriptions`);
    }
    const connector = this.deps.connector(record);
    const receiver = await this.deps.subscriptions.ensureReceiver({
      connectionId: record.id,
      tenantId: tenant.id,
      provider: record.provider,
      ownSecret: platformOf(record.provider).webhooks.push === 'api',
    });
    try {
      await this.deps.poller.baseline(record);
    } catch (err) {
      throw toClientError(err, record.provider, 'changedBookings');
    }
    const secret = newSigningSecret();
    const sub = await this.deps.subscriptions.create({ tenantId: tenant.id, connectionId: record.id, provider: record.provider, events, targetUrl }, secret);
    try {
      await this.sync(record, connector, receiver);
    } catch (err) {
      await this.deps.subscriptions.remove(sub);
      throw toClientError(err, record.provider, 'registerWebhook');
    }
    this.deps.log.info({ tenantId: tenant.id, connectionId: record.id, provider: record.provider, subscriptionId: sub.id, events }, 'webhook subscribed');
    return this.model(sub, record, receiver, secret);
  }

  async unsubscribe(tenant: Tenant, id: string): Promise<boolean> {
    const found = await this.owned(tenant, id);
    if (!found) return false;
    const { sub, record } = found;
    const left = await this.deps.subscriptions.remove(sub);
    await this.deps.deliveries.remove(sub.id);
    const receiver = await this.deps.subscriptions.receiverOf(sub.connectionId);
    if (record?.status === ConnectionStatus.ACTIVE && receiver) {
      try {
        await this.sync(record, this.deps.connector(record), receiver);
      } catch (err) {
        // The subscription is gone either way; what the platform still pushes is refused as unwanted.
        this.deps.log.warn(
          { connectionId: record.id, provider: record.provider, err: asProviderError(err, record.provider, 'unregisterWebhook').message },
          'webhook unregistration failed',
        );
      }
    }
    if (left.length === 0) await this.deps.poller.forget(sub.connectionId);
    return true;
  }

  async rotate(tenant: Tenant, id: string): Promise<WebhookSubscriptionModel> {
    const found = await this.owned(tenant, id);
    if (!found?.record) throw new GatewayError('BAD_USER_INPUT', '`id` is not the ID of a webhook subscription you can access');
    const secret = newSigningSecret();
    const updated = await this.deps.subscriptions.rotate(found.sub, secret);
    return this.model(updated, found.record, await this.deps.subscriptions.receiverOf(found.record.id), secret);
  }

  async replay(tenant: Tenant, subscriptionId: string, deliveryIds?: readonly string[] | null): Promise<number> {
    const found = await this.owned(tenant, subscriptionId);
    if (!found) throw new GatewayError('BAD_USER_INPUT', '`subscriptionId` is not the ID of a webhook subscription you can access');
    return this.deps.deliveries.replay(found.sub.id, deliveryIds ?? null);
  }

  async list(tenant: Tenant): Promise<WebhookSubscriptionModel[]> {
    const out: WebhookSubscriptionModel[] = [];
    for (const sub of await this.deps.subscriptions.listForTenant(tenant.id)) {
      const record = await this.deps.connections.getForTenant(tenant.id, sub.connectionId);
      if (record) out.push(this.model(sub, record, await this.deps.subscriptions.receiverOf(record.id), null));
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.record.id < b.record.id ? -1 : 1));
  }

  /** `node(id:)` of a WebhookSubscription. */
  async get(tenant: Tenant, id: string): Promise<WebhookSubscriptionModel | null> {
    const found = await this.owned(tenant, id);
    if (!found?.record) return null;
    return this.model(found.sub, found.record, await this.deps.subscriptions.receiverOf(found.record.id), null);
  }

  deliveries(model: WebhookSubscriptionModel, args: { first: number; after?: string | null; status?: DeliveryStatus | null }) {
    return this.deps.deliveries.list(model.record.id, args);
  }

  /**
   * Stores the secret an operator copied from the platform's web app (yAppointment, Appointedd), so
   * pushes to the connection's receiver URL verify. Answers the receiver URL to paste there.
   */
  async setReceiverSecret(tenant: Tenant, connectionId: string, secret: string): Promise<string> {
    const record = await this.connectionOf(tenant, connectionId);
    const { push } = platformOf(record.provider).webhooks;
    if (push !== 'web-app') {
      const why = push === 'api' ? 'the gateway registers its own receiver there' : 'it cannot push webhooks';
      throw new GatewayError('BAD_USER_INPUT', `${displayName(record.provider)} takes no operator secret: ${why}`, { provider: record.provider });
    }
    const value = secret.trim();
    if (value.length < MIN_SECRET_LENGTH || value.length > MAX_SECRET_LENGTH) {
      throw new GatewayError(
        'BAD_USER_INPUT',
        `\`secret\` must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters (the value the platform's web app shows, or for Appointedd a random one you chose)`,
      );
    }
    const receiver = await this.deps.subscriptions.ensureReceiver({
      connectionId: record.id,
      tenantId: tenant.id,
      provider: record.provider,
      ownSecret: false,
    });
    await this.deps.subscriptions.updateReceiver(record.id, () => ({ secret: value }));
    return this.receiverUrl(receiver);
  }

  /**
   * Before a disconnect: removes what the gateway registered at the platform for the connection (best
   * effort; the grant is about to go). Its subscriptions stay and resume if the connection is repaired.
   */
  async releaseConnection(record: ConnectionRecord): Promise<void> {
    const receiver = await this.deps.subscriptions.receiverOf(record.id);
    const sync = this.deps.connector(record).webhooks.sync;
    if (!receiver?.registration || !sync) return;
    try {
      const secret = this.deps.subscriptions.receiverSecret(receiver) ?? '';
      await sync({ url: this.receiverUrl(receiver), secret }, [], receiver.registration);
      await this.deps.subscriptions.updateReceiver(record.id, () => ({ registration: null, registeredEvents: [] }));
    } catch (err) {
      this.deps.log.warn(
        { connectionId: record.id, provider: record.provider, err: asProviderError(err, record.provider, 'unregisterWebhook').message },
        'webhook unregistration failed',
      );
    }
  }

  /** After a connection was deleted: its subscriptions, their deliveries, its receiver and polling state go. */
  async dropConnection(record: ConnectionRecord): Promise<void> {
    for (const sub of await this.deps.subscriptions.listForConnection(record.id)) {
      await this.deps.subscriptions.remove(sub);
      await this.deps.deliveries.remove(sub.id);
    }
    const receiver = await this.deps.subscriptions.receiverOf(record.id);
    if (receiver) await this.deps.subscriptions.removeReceiver(receiver);
    await this.deps.poller.forget(record.id);
  }

  // Platform pushes ---------------------------------------------------------------------------------

  /**
   * A push to `POST /webhooks/<slug>/<id>`: verified first (nothing changes when it does not verify:
   * 401), then acknowledged (202) and processed after the answer (`processing`).
   */
  async receive(slug: string, receiverId: string, req: PushedRequest): Promise<{ status: number; processing?: Promise<number> }> {
    const outcome = await this.verified(slug, receiverId, req);
    if (outcome.status === 401) this.stats.refused++;
    else this.stats.accepted++;
    return outcome;
  }

  private async verified(slug: string, receiverId: string, req: PushedRequest): Promise<{ status: number; processing?: Promise<number> }> {
    const platform = platformBySlug(slug);
    const receiver = platform ? await this.deps.subscriptions.receiverById(receiverId) : undefined;
    if (!platform || !receiver || receiver.provider !== platform.key) return { status: 401 };
    const record = await this.deps.connections.get(receiver.connectionId);
    const secret = this.deps.subscriptions.receiverSecret(receiver);
    if (!record || record.status !== ConnectionStatus.ACTIVE || !secret) return { status: 401 };
    const connector = this.deps.connector(record);
    if (!connector.webhooks.verify?.(req, secret) || !connector.webhooks.parse) return { status: 401 };
    const processing = connector.webhooks
      .parse(req)
      .then((events) => this.deps.intake.accept(record, events))
      .catch((err) => {
        this.deps.log.warn(
          { connectionId: record.id, provider: record.provider, err: asProviderError(err, record.provider, 'webhook').message },
          'webhook push not processed',
        );
        return 0;
      });
    return { status: 202, processing };
  }

  // Internals -----------------------------------------------------------------------------------------

  /** Makes the platform's registrations match the connection's subscriptions (NATIVE platforms). */
  private async sync(record: ConnectionRecord, connector: Connector, receiver: ReceiverRecord): Promise<void> {
    const sync = connector.webhooks.sync;
    const secret = this.deps.subscriptions.receiverSecret(receiver);
    if (!sync || !secret) return;
    await this.deps.subscriptions.withConnection(record.id, async () => {
      const wanted = [...new Set((await this.deps.subscriptions.listForConnection(record.id)).flatMap((s) => s.events))].sort();
      const current = (await this.deps.subscriptions.receiverOf(record.id)) ?? receiver;
      if (wanted.join() === [...current.registeredEvents].sort().join() && (current.registration !== null || wanted.length === 0)) return;
      const registration = await sync({ url: this.receiverUrl(receiver), secret }, wanted, current.registration);
      await this.deps.subscriptions.updateReceiver(record.id, () => ({ registration, registeredEvents: wanted }));
    });
  }

  private receiverUrl(receiver: ReceiverRecord): string {
    return `${this.deps.publicUrl()}/webhooks/${receiver.provider.toLowerCase()}/${receiver.id}`;
  }

  private model(
    sub: SubscriptionRecord,
    record: ConnectionRecord,
    receiver: ReceiverRecord | undefined,
    signingSecret: string | null,
  ): WebhookSubscriptionModel {
    const webhooks = platformOf(record.provider).webhooks;
    return {
      __typename: 'WebhookSubscription',
      id: encodeId({ type: 'WebhookSubscription', provider: record.provider, connectionId: record.id, ref: sub.id }),
      record: sub,
      connection: record,
      events: sub.events,
      mode: webhooks.mode,
      targetUrl: sub.targetUrl,
      createdAt: new Date(sub.createdAt),
      signingSecret,
      receiverUrl: receiver && webhooks.push !== 'none' ? this.receiverUrl(receiver) : null,
    };
  }

  private async connectionOf(tenant: Tenant, connectionId: string): Promise<ConnectionRecord> {
    const gid = decodeId(connectionId);
    const record = gid?.type === 'ProviderConnection' ? await this.deps.connections.getForTenant(tenant.id, gid.connectionId) : undefined;
    if (!record) throw new GatewayError('BAD_USER_INPUT', '`connectionId` is not the ID of a connection you can access');
    return record;
  }

  /** The tenant's subscription a global ID names, with its connection (undefined when that is gone). */
  private async owned(tenant: Tenant, id: string): Promise<{ sub: SubscriptionRecord; record: ConnectionRecord | undefined } | undefined> {
    const gid = decodeId(id);
    if (gid?.type !== 'WebhookSubscription') return undefined;
    const sub = await this.deps.subscriptions.get(gid.ref);
    if (!sub || sub.tenantId !== tenant.id || sub.connectionId !== gid.connectionId) return undefined;
    return { sub, record: await this.deps.connections.getForTenant(tenant.id, sub.connectionId) };
  }
}
