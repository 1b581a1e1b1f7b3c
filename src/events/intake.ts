import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConnectionRecord } from '../connections/connections.js';
import type { PlatformEvent, UnifiedBooking } from '../connectors/types.js';
import { encodeId } from '../gateway/ids.js';
import type { Store } from '../store/store.js';
import type { EventBus } from './bus.js';
import type { DeliveryQueue } from './delivery.js';
import type { BookingEventPayload, EventBooking } from './event.js';
import type { SubscriptionRepository } from './subscriptions.js';
import { topics } from './topics.js';

/** How long a (booking, type) pair or a platform event id is remembered, to publish each event once. */
const SEEN_TTL_MS = 7 * 24 * 3_600_000;

/** The stable id of an event: the same for a push and a poll of the same change. */
export function eventIdOf(connectionId: string, ref: string, type: string): string {
  return `evt_${createHash('sha256').update(`${connectionId}\n${ref}\n${type}`).digest('base64url').slice(0, 27)}`;
}

export function eventBookingOf(b: UnifiedBooking, record: ConnectionRecord): EventBooking {
  return {
    id: encodeId({ type: 'Booking', provider: record.provider, connectionId: record.id, ref: b.ref }),
    provider: record.provider,
    connectionId: record.id,
    ref: b.ref,
    nativeId: b.nativeId,
    organizationRef: b.organizationRef,
    status: b.status,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
    timezone: b.timezone,
    serviceRef: b.serviceRef,
    customerRef: b.customerRef,
    createdAt: b.createdAt?.toISOString() ?? null,
    updatedAt: b.updatedAt?.toISOString() ?? null,
    raw: b.raw,
  };
}

/** The JSON body of a delivery (Standard Webhooks style: `type`, `timestamp`, `data`). */
export function deliveryBody(e: BookingEventPayload): string {
  const { tenantId: _tenant, connectionId: _connection, ...event } = e;
  const { ref: _ref, connectionId: _c, organizationRef, serviceRef, customerRef, ...booking } = e.booking;
  const id = (type: 'Organization' | 'Service' | 'Customer', ref: string | null) =>
    ref === null ? null : encodeId({ type, provider: e.provider, connectionId: e.connectionId, ref });
  return JSON.stringify({
    type: e.type,
    timestamp: e.occurredAt,
    data: {
      ...event,
      booking: {
        ...booking,
        organizationId: id('Organization', organizationRef),
        serviceId: id('Service', serviceRef),
        customerId: id('Customer', customerRef),
      },
    },
  });
}

/**
 * Where every booking event goes, pushed or polled: de-duplicated (by the platform's event id, and by
 * (booking, type) so a change seen both ways counts once, atomically across instances on Redis), then
 * published to the tenant's subscribers, the connection's cached reads dropped, and one delivery queued
 * per subscription that wants it at a target URL.
 */
export class EventIntake {
  /** Since start: events published, and events dropped as already seen (platform retries, push and poll of one change). */
  readonly stats = { published: 0, duplicates: 0 };

  constructor(
    private readonly deps: {
      store: Store;
      bus: EventBus;
      subscriptions: SubscriptionRepository;
      deliveries: DeliveryQueue;
      /** Drops the connection's cached reads (the event made them stale). */
      invalidate(connectionId: string): void;
      log: Logger;
    },
  ) {}

  /** Publishes the events some subscription of the connection wants and that were not seen before; answers how many. */
  async accept(record: ConnectionRecord, events: readonly PlatformEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const subscriptions = (await this.deps.subscriptions.listForConnection(record.id)).filter((s) => s.tenantId === record.tenantId);
    const wanted = new Set(subscriptions.flatMap((s) => s.events));
    let published = 0;
    for (const e of events) {
      if (!wanted.has(e.type)) continue;
      const id = eventIdOf(record.id, e.booking.ref, e.type);
      const fresh =
        (!e.eventId || (await this.deps.store.setIfAbsent(`whseen:${record.id}:id:${e.eventId}`, 1, SEEN_TTL_MS))) &&
        (await this.deps.store.setIfAbsent(`whseen:${record.id}:${id}`, 1, SEEN_TTL_MS));
      if (!fresh) {
        this.stats.duplicates++;
        continue;
      }
      const payload: BookingEventPayload = {
        id,
        type: e.type,
        provider: record.provider,
        tenantId: record.tenantId,
        connectionId: record.id,
        occurredAt: (e.occurredAt ?? new Date()).toISOString(),
        booking: eventBookingOf(e.booking, record),
      };
      this.deps.invalidate(record.id);
      this.deps.bus.publish(topics.bookingEvents(record.tenantId), payload);
      published++;
      this.stats.published++;
      const body = deliveryBody(payload);
      for (const sub of subscriptions) {
        if (sub.targetUrl && sub.events.includes(e.type)) {
          await this.deps.deliveries.enqueue(sub.id, payload, body);
        }
      }
      this.deps.log.info({ connectionId: record.id, provider: record.provider, type: e.type, eventId: id }, 'booking event');
    }
    return published;
  }
}
