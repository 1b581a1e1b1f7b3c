/** Shared by the connectors' webhook tests: the demo tenant's connector, events made on a platform, the listing a push is compared with. */
import { expect } from 'vitest';
import type { ConnectionRecord } from '../../src/connections/connections.js';
import { BookingEventType, WebhookMode } from '../../src/connectors/enums.js';
import type { Provider } from '../../src/connectors/platforms.js';
import type { Connector, UnifiedBooking } from '../../src/connectors/types.js';
import { sandbox, type TestGateway } from '../helpers/gateway.js';

/** The demo tenant's connection of `provider` (expected ACTIVE) and its connector. */
export async function demoConnection(gw: TestGateway, provider: Provider): Promise<{ record: ConnectionRecord; connector: Connector }> {
  const { services } = gw.gateway;
  const demo = await services.tenants.findByName('demo');
  const record = (await services.connections.listForTenant(demo!.id)).find((c) => c.provider === provider);
  expect(record?.status).toBe('ACTIVE');
  return { record: record!, connector: services.hub.connector(record!) };
}

/**
 * What customers do on the platform's site, through the emulator's `POST /__sandbox/events` with the
 * platform's own event names: one books (`created`), another books and cancels (`cancelled`). The
 * cancellation must have been pushed to exactly one webhook. `since` is platform time just before.
 */
export async function bookAndCancel(
  origin: string,
  events: { created: string; cancelled: string },
): Promise<{ since: Date; created: string; cancelled: string }> {
  const since = new Date((await sandbox(origin, 'clock')).now);
  const created = (await sandbox(origin, 'events', { type: events.created })).bookingId as string;
  const cancelled = (await sandbox(origin, 'events', { type: events.created })).bookingId as string;
  const cancel = await sandbox(origin, 'events', { type: events.cancelled, bookingId: cancelled });
  expect(cancel.webhooksDelivered).toBe(1);
  return { since, created, cancelled };
}

/** The booking `listBookings` gives for `b.ref` (a one-millisecond window at its start). */
export async function listed(connector: Connector, b: UnifiedBooking): Promise<UnifiedBooking | undefined> {
  const page = await connector.listBookings({ startsAfter: b.startsAt, startsBefore: new Date(b.startsAt.getTime() + 1), limit: 10 });
  return page.find((x) => x.ref === b.ref);
}

/** A platform whose pushes the operator sets up in its web app: polled, nothing to register, no timed events, created and cancelled only. */
export function expectWebAppPush(connector: Connector): void {
  const w = connector.webhooks;
  expect(w.mode).toBe(WebhookMode.POLLING);
  expect(w.push).toBe('web-app');
  expect(w.timedEvents).toBe(false);
  expect(w.sync).toBeUndefined();
  expect(w.events).toEqual([BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED]);
}
