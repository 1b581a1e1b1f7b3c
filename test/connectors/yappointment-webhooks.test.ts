import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookingEventType, BookingStatus } from '../../src/connectors/enums.js';
import { ProviderError } from '../../src/connectors/errors.js';
import type { Connector } from '../../src/connectors/types.js';
import { signatureValid, updatedSinceFilter } from '../../src/connectors/yappointment/webhooks.js';
import { sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { bookAndCancel, demoConnection, expectWebAppPush, listed } from './webhook-helpers.js';
import { stats } from './yappointment-helpers.js';

/**
 * yAppointment's booking events through the connector of the demo tenant's connection, against the
 * emulator over HTTP (docs/platforms/yappointment.md §4, §6): a webhook set up in the web app (the
 * emulator's admin-UI stand-in) pushes to a local receiver; the recorded requests go through
 * `verify` and `parse`; `changedBookings` polls with `filter.updatedSince`.
 */

let gw: TestGateway;
let origin: string;
let connector: Connector;
let companyId: string;
let receiver: Recorder;
let secret: string;
/** Platform time just before the events. */
let since: Date;
let created: string;
let cancelled: string;

beforeAll(async () => {
  gw = await startTestGateway();
  origin = gw.emulators.yappointment as string;
  const demo = await demoConnection(gw, 'YAPPOINTMENT');
  connector = demo.connector;
  companyId = demo.record.settings.companyId as string;
  receiver = await startRecorder({ path: '/webhooks/yappointment/test', status: 204 });
  // What an operator does in the web app: a webhook for both booking events; the app shows its secret.
  const hook = await sandbox(origin, 'webhooks', { companyId, url: receiver.url, events: ['booking.created', 'booking.cancelled'] });
  secret = hook.secret;
  ({ since, created, cancelled } = await bookAndCancel(origin, { created: 'booking.created', cancelled: 'booking.cancelled' }));
});

afterAll(async () => {
  await receiver?.close();
  await gw?.close();
});

describe('yAppointment webhooks: capabilities', () => {
  it('polls, takes pushes set up in the web app, and has no timed events', () => {
    expectWebAppPush(connector);
  });

  it('checks the signature with the platform doc’s check value', () => {
    const body = Buffer.from('{}');
    expect(signatureValid(body, '46bdc2a2e83964bd2695acc6a1f97162d8bafc135a071aa5cd5c99aae5481440', 'whsec_test')).toBe(true);
    expect(signatureValid(body, '46BDC2A2E83964BD2695ACC6A1F97162D8BAFC135A071AA5CD5C99AAE5481440', 'whsec_test')).toBe(true);
    expect(signatureValid(body, '46bdc2a2e83964bd2695acc6a1f97162d8bafc135a071aa5cd5c99aae5481441', 'whsec_test')).toBe(false);
    expect(signatureValid(body, '46bdc2a2', 'whsec_test')).toBe(false);
    expect(signatureValid(body, ['46bdc2a2e83964bd2695acc6a1f97162d8bafc135a071aa5cd5c99aae5481440'], 'whsec_test')).toBe(false);
    expect(signatureValid(body, '46bdc2a2e83964bd2695acc6a1f97162d8bafc135a071aa5cd5c99aae5481440', '')).toBe(false);
  });

  it('asks for changes from the whole second `since` falls in (the platform stamps whole seconds)', () => {
    expect(updatedSinceFilter(new Date('2025-04-20T10:00:05.730Z'))).toEqual({ updatedSince: '2025-04-20T10:00:05Z' });
  });
});

describe('yAppointment webhooks: pushes from the emulator', () => {
  it('received one signed push per event, in order', () => {
    expect(receiver.received).toHaveLength(3);
    const events = receiver.received.map((r) => JSON.parse(r.rawBody.toString('utf8')).event);
    expect(events).toEqual(['booking.created', 'booking.created', 'booking.cancelled']);
    for (const r of receiver.received) expect(r.headers['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verify: true with the secret the web app showed; false with another secret, a changed body or no signature', () => {
    const w = connector.webhooks;
    for (const r of receiver.received) expect(w.verify!(r, secret)).toBe(true);
    const [first, second] = receiver.received;
    expect(w.verify!(first, `${secret}x`)).toBe(false);
    expect(w.verify!(first, 'whsec_test')).toBe(false);
    const tampered = Buffer.from(first.rawBody.toString('utf8').replace('"confirmed"', '"cancelled"'));
    expect(tampered.equals(first.rawBody)).toBe(false);
    expect(w.verify!({ ...first, rawBody: tampered }, secret)).toBe(false);
    const { ['x-webhook-signature']: _dropped, ...unsigned } = first.headers;
    expect(w.verify!({ ...first, headers: unsigned }, secret)).toBe(false);
    // Another push's signature does not fit this body.
    expect(w.verify!({ ...first, headers: { ...first.headers, 'x-webhook-signature': second.headers['x-webhook-signature'] } }, secret)).toBe(false);
    expect(w.verify!(first, '')).toBe(false);
  });

  it('parse: BOOKING_CREATED with the event id and time, and the booking listBookings gives', async () => {
    const r = receiver.received[0];
    const payload = JSON.parse(r.rawBody.toString('utf8'));
    const events = await connector.webhooks.parse!(r);
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e.type).toBe(BookingEventType.BOOKING_CREATED);
    expect(e.eventId).toBe(payload.id);
    expect(e.eventId).toMatch(/^evt_\d{9}$/);
    expect(e.occurredAt?.toISOString()).toBe(new Date(payload.timestamp).toISOString());
    expect(e.booking.ref).toBe(created);
    expect(e.booking.status).toBe(BookingStatus.CONFIRMED);
    const l = await listed(connector, e.booking);
    expect(l).toBeDefined();
    const { raw: _a, ...fromPush } = e.booking;
    const { raw: _b, ...fromList } = l!;
    expect(fromPush).toEqual(fromList);
  });

  it('parse: BOOKING_CANCELED with a CANCELED booking and an event id of its own', async () => {
    const [created1, created2, cancel] = await Promise.all(receiver.received.map((r) => connector.webhooks.parse!(r)));
    expect(cancel).toHaveLength(1);
    expect(cancel[0].type).toBe(BookingEventType.BOOKING_CANCELED);
    expect(cancel[0].booking.ref).toBe(cancelled);
    expect(cancel[0].booking.status).toBe(BookingStatus.CANCELED);
    expect(new Set([created1[0].eventId, created2[0].eventId, cancel[0].eventId]).size).toBe(3);
    const l = await listed(connector, cancel[0].booking);
    expect(l?.status).toBe(BookingStatus.CANCELED);
    expect(l?.ref).toBe(cancel[0].booking.ref);
  });

  it('parse: events the unified model lacks are none; a body that is not a push throws ProviderError', async () => {
    const customer = Buffer.from(
      JSON.stringify({ id: 'evt_100000001', timestamp: '2025-04-19T14:30:00Z', event: 'customer.updated', data: { id: 'cust_100000123' } }),
    );
    expect(await connector.webhooks.parse!({ ...receiver.received[0], rawBody: customer })).toEqual([]);
    await expect(connector.webhooks.parse!({ ...receiver.received[0], rawBody: Buffer.from('not json') })).rejects.toBeInstanceOf(ProviderError);
    const noData = Buffer.from(JSON.stringify({ id: 'evt_100000002', timestamp: '2025-04-19T14:30:00Z', event: 'booking.created', data: { id: 'bkg_1' } }));
    await expect(connector.webhooks.parse!({ ...receiver.received[0], rawBody: noData })).rejects.toBeInstanceOf(ProviderError);
  });
});

describe('yAppointment webhooks: polling', () => {
  it('changedBookings(since) has the booking created and the one cancelled since, in one call', async () => {
    const before = await stats(origin);
    const changed = await connector.webhooks.changedBookings(since);
    const after = await stats(origin);
    expect(after.api - before.api).toBe(1);
    const byRef = new Map(changed.map((b) => [b.ref, b]));
    expect(byRef.get(created)?.status).toBe(BookingStatus.CONFIRMED);
    expect(byRef.get(cancelled)?.status).toBe(BookingStatus.CANCELED);
    // Only what changed from the second `since` falls in.
    const floor = Math.floor(since.getTime() / 1000) * 1000;
    for (const b of changed) expect(b.updatedAt!.getTime()).toBeGreaterThanOrEqual(floor);
  });

  it('changedBookings from after the events is empty', async () => {
    const later = new Date(Date.parse((await sandbox(origin, 'clock')).now) + 2_000);
    expect(await connector.webhooks.changedBookings(later)).toEqual([]);
  });
});
