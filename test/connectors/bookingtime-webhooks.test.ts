import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollMonths } from '../../src/connectors/bookingtime/webhooks.js';
import type { BookingtimeOrganization } from '../../src/connectors/bookingtime/queries.js';
import { BookingEventType, BookingStatus, WebhookMode } from '../../src/connectors/enums.js';
import type { Connector } from '../../src/connectors/types.js';
import { sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { emulatorNow, ORG_A, stats } from './bookingtime-helpers.js';

/**
 * bookingtime's booking events through the connector of the demo tenant's connection, against the
 * emulator over HTTP (docs/platforms/bookingtime.md §4): no webhooks, no updated-since filter, so
 * `changedBookings` reads the local months around now per organization (`listMonth`), cancelled
 * appointments included. `/__sandbox/events` changes data on the platform and pushes nothing.
 */

const DAY_MS = 86_400_000;

let gw: TestGateway;
let origin: string;
let connector: Connector;
let organizations: BookingtimeOrganization[];

beforeAll(async () => {
  gw = await startTestGateway();
  origin = gw.emulators.bookingtime as string;
  const demo = await gw.gateway.services.tenants.findByName('demo');
  const record = (await gw.gateway.services.connections.listForTenant(demo!.id)).find((c) => c.provider === 'BOOKINGTIME');
  expect(record?.status).toBe('ACTIVE');
  connector = gw.gateway.services.hub.connector(record!);
  organizations = record!.settings.organizations as BookingtimeOrganization[];
  expect(organizations.length).toBeGreaterThanOrEqual(2);
});

afterAll(() => gw?.close());

describe('bookingtime webhooks: capabilities', () => {
  it('polls only: nothing to push, verify or parse, no timed events', () => {
    const w = connector.webhooks;
    expect(w.mode).toBe(WebhookMode.POLLING);
    expect(w.push).toBe('none');
    expect(w.timedEvents).toBe(false);
    expect(w.sync).toBeUndefined();
    expect(w.verify).toBeUndefined();
    expect(w.parse).toBeUndefined();
    expect(w.events).toEqual([BookingEventType.BOOKING_CREATED, BookingEventType.BOOKING_CANCELED]);
  });

  it('reads the current and next local month, and the past day and next 31 days', () => {
    // Mid-month: the current and the next month.
    expect(pollMonths('Europe/Berlin', Date.parse('2025-03-15T12:00:00Z'))).toEqual([
      { y: 2025, m: 3 },
      { y: 2025, m: 4 },
    ]);
    // The first of the month, local time (still the last of February in UTC): the past day is February's.
    expect(pollMonths('Europe/Berlin', Date.parse('2025-02-28T23:30:00Z'))).toEqual([
      { y: 2025, m: 2 },
      { y: 2025, m: 3 },
      { y: 2025, m: 4 },
    ]);
    // The last of January: the next 31 days reach into March.
    expect(pollMonths('America/New_York', Date.parse('2025-01-31T15:00:00Z'))).toEqual([
      { y: 2025, m: 1 },
      { y: 2025, m: 2 },
      { y: 2025, m: 3 },
    ]);
    // Across a year's end.
    expect(pollMonths('UTC', Date.parse('2025-12-10T00:00:00Z'))).toEqual([
      { y: 2025, m: 12 },
      { y: 2026, m: 1 },
    ]);
  });
});

describe('bookingtime webhooks: polling', () => {
  it('changedBookings sees an appointment booked and one cancelled on the platform, one listMonth per organization and month', async () => {
    const since = await emulatorNow(origin);
    const created = (await sandbox(origin, 'events', { type: 'appointment.created' })).bookingId as string;
    const cancelled = (await sandbox(origin, 'events', { type: 'appointment.created' })).bookingId as string;
    const cancel = await sandbox(origin, 'events', { type: 'appointment.canceled', bookingId: cancelled });
    expect(cancel.webhooksAttempted).toBe(0); // the platform pushes nothing

    // Warm the organization tokens so the count below is the poll's own API calls.
    await connector.webhooks.changedBookings(since);
    const before = await stats(origin);
    const polledAt = Date.now();
    const changed = await connector.webhooks.changedBookings(since);
    const after = await stats(origin);
    const months = organizations.map((o) => pollMonths(o.timeZone ?? 'UTC', polledAt).length);
    expect(after.api - before.api).toBe(months.reduce((a, b) => a + b, 0));
    expect(after.api - before.api).toBeLessThanOrEqual(3 * organizations.length);

    const byRef = new Map(changed.map((b) => [b.ref, b]));
    expect(byRef.get(`${ORG_A}:${created}`)?.status).toBe(BookingStatus.CONFIRMED);
    expect(byRef.get(`${ORG_A}:${cancelled}`)?.status).toBe(BookingStatus.CANCELED);
    // The same refs listBookings gives.
    const listed = await connector.getBookings([`${ORG_A}:${created}`, `${ORG_A}:${cancelled}`]);
    expect(listed.map((b) => b?.status)).toEqual([BookingStatus.CONFIRMED, BookingStatus.CANCELED]);
  });

  it('changedBookings holds every booking of the next 31 days, whatever its status, and of every organization', async () => {
    const now = Date.now();
    const changed = new Set((await connector.webhooks.changedBookings(new Date(now))).map((b) => b.ref));
    const ahead = await connector.listBookings({ startsAfter: new Date(now), startsBefore: new Date(now + 31 * DAY_MS), limit: 10_000 });
    expect(ahead.length).toBeGreaterThan(0);
    expect(ahead.filter((b) => !changed.has(b.ref)).map((b) => b.ref)).toEqual([]);
    expect(new Set(ahead.map((b) => b.organizationRef)).size).toBeGreaterThanOrEqual(2);
    expect(ahead.some((b) => b.status === BookingStatus.CANCELED)).toBe(true);
  });
});
