import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicPassword, pushAuthorized } from '../../src/connectors/appointedd/webhooks.js';
import { BookingEventType, BookingStatus } from '../../src/connectors/enums.js';
import { ProviderError } from '../../src/connectors/errors.js';
import type { Connector } from '../../src/connectors/types.js';
import { sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { bookAndCancel, demoConnection, expectWebAppPush, listed } from './webhook-helpers.js';

/**
 * Appointedd's booking events through the connector of the demo tenant's connection, against the
 * emulator over HTTP (docs/platforms/appointedd.md §4, §6): webhooks set up in the web app (the
 * emulator's admin-UI stand-in, one trigger each) push to a local receiver with the gateway's secret
 * in a custom header or as a basic-auth password; the recorded requests go through `verify` and
 * `parse`; `changedBookings` polls with `filter[updated_gte]`.
 */

const apiCalls = async (origin: string) => (await sandbox<{ api: number }>(origin, 'stats')).api;

/** The operator's secret, typed into the webhook's authentication in the web app. */
const SECRET = 's3cr3t-gateway-token-Zoë';

let gw: TestGateway;
let origin: string;
let connector: Connector;
let accountIds: string[];
let receiver: Recorder;
/** Platform time just before the events. */
let since: Date;
let created: string;
let cancelled: string;

beforeAll(async () => {
  gw = await startTestGateway();
  origin = gw.emulators.appointedd as string;
  const demo = await demoConnection(gw, 'APPOINTEDD');
  connector = demo.connector;
  accountIds = demo.record.settings.accountIds as string[];
  expect(accountIds.length).toBeGreaterThanOrEqual(2);
  receiver = await startRecorder({ path: '/webhooks/appointedd/test', status: 204 });
  // What an operator does in the web app, per account: one webhook per trigger; "created" with the
  // custom header, "cancelled" with basic auth (any username, the secret as password).
  const hooks = [
    { name: 'Gateway: created', trigger: 'booking_created', auth: { type: 'header', name: 'X-Gateway-Token', value: SECRET } },
    { name: 'Gateway: cancelled', trigger: 'booking_cancelled', auth: { type: 'basic', username: 'bookgraph', password: SECRET } },
  ];
  for (const account_id of accountIds) {
    for (const hook of hooks) await sandbox(origin, 'webhooks', { account_id, ...hook, url: receiver.url });
  }
  ({ since, created, cancelled } = await bookAndCancel(origin, { created: 'booking_created', cancelled: 'booking_cancelled' }));
});

afterAll(async () => {
  await receiver?.close();
  await gw?.close();
});

describe('Appointedd webhooks: capabilities', () => {
  it('polls, takes pushes set up in the web app, and has no timed events', () => {
    expectWebAppPush(connector);
  });

  it('reads the password of basic auth (RFC 7617), colons in it included', () => {
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(basicPassword(basic('any:pa:ss'))).toBe('pa:ss');
    expect(basicPassword(basic(':secret'))).toBe('secret');
    expect(basicPassword(basic('no-colon'))).toBeNull();
    expect(basicPassword('Bearer abc')).toBeNull();
    expect(basicPassword(null)).toBeNull();
  });

  it('accepts the secret in the header or as the password, nothing else', () => {
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(pushAuthorized({ 'x-gateway-token': 'k' }, 'k')).toBe(true);
    expect(pushAuthorized({ authorization: basic('u:k') }, 'k')).toBe(true);
    expect(pushAuthorized({ 'x-gateway-token': 'k2' }, 'k')).toBe(false);
    expect(pushAuthorized({ 'x-gateway-token': 'k' }, 'k2')).toBe(false);
    expect(pushAuthorized({ 'x-gateway-token': ['k', 'k'] }, 'k')).toBe(false);
    expect(pushAuthorized({ authorization: basic('k:u') }, 'k')).toBe(false);
    expect(pushAuthorized({ 'x-other': 'k' }, 'k')).toBe(false);
    expect(pushAuthorized({ 'x-gateway-token': '' }, '')).toBe(false);
  });
});

describe('Appointedd webhooks: pushes from the emulator', () => {
  it('received one push per event, created ones with the header, the cancelled one with basic auth', () => {
    expect(receiver.received).toHaveLength(3);
    const triggers = receiver.received.map((r) => JSON.parse(r.rawBody.toString('utf8')).event_type);
    expect(triggers).toEqual(['booking_created', 'booking_created', 'booking_cancelled']);
    expect(receiver.received[0].headers['x-gateway-token']).toBe(SECRET);
    expect(receiver.received[2].headers.authorization).toMatch(/^Basic /);
  });

  it('verify: true with the operator’s secret; false with another secret or without the header', () => {
    const w = connector.webhooks;
    for (const r of receiver.received) expect(w.verify!(r, SECRET)).toBe(true);
    for (const r of receiver.received) expect(w.verify!(r, `${SECRET}x`)).toBe(false);
    const [headerAuth, , basicAuth] = receiver.received;
    const { ['x-gateway-token']: _t, ...withoutToken } = headerAuth.headers;
    expect(w.verify!({ ...headerAuth, headers: withoutToken }, SECRET)).toBe(false);
    const { authorization: _a, ...withoutAuthorization } = basicAuth.headers;
    expect(w.verify!({ ...basicAuth, headers: withoutAuthorization }, SECRET)).toBe(false);
    expect(w.verify!(headerAuth, '')).toBe(false);
    // The platform does not sign (§4): the secret proves the sender, not the body, so a changed body
    // with the right header still passes. Nothing better is possible here.
    const changed = Buffer.from(headerAuth.rawBody.toString('utf8').replace('"Confirmed"', '"Cancelled"'));
    expect(changed.equals(headerAuth.rawBody)).toBe(false);
    expect(w.verify!({ ...headerAuth, rawBody: changed }, SECRET)).toBe(true);
  });

  it('parse: BOOKING_CREATED, no event id or time (the platform sends none), the booking listBookings gives', async () => {
    const events = await connector.webhooks.parse!(receiver.received[0]);
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e.type).toBe(BookingEventType.BOOKING_CREATED);
    expect(e.eventId).toBeNull();
    expect(e.occurredAt).toBeNull();
    expect(e.booking.ref).toBe(created);
    expect(e.booking.status).toBe(BookingStatus.CONFIRMED);
    const l = await listed(connector, e.booking);
    expect(l).toBeDefined();
    // Everything but `raw` (the push's own shape, not the JSON:API resource).
    const { raw: _p, ...fromPush } = e.booking;
    const { raw: _l, ...fromList } = l!;
    expect(fromPush).toEqual(fromList);
    expect(fromPush.serviceRef).toBeTruthy();
    expect(fromPush.customerRef).toBeTruthy();
  });

  it('parse: BOOKING_CANCELED with the CANCELED booking listBookings gives', async () => {
    const events = await connector.webhooks.parse!(receiver.received[2]);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe(BookingEventType.BOOKING_CANCELED);
    expect(events[0].booking.ref).toBe(cancelled);
    expect(events[0].booking.status).toBe(BookingStatus.CANCELED);
    const l = await listed(connector, events[0].booking);
    const { raw: _p, ...fromPush } = events[0].booking;
    const { raw: _l, ...fromList } = l!;
    expect(fromPush).toEqual(fromList);
  });

  it('parse costs no upstream call', async () => {
    const before = await apiCalls(origin);
    for (const r of receiver.received) await connector.webhooks.parse!(r);
    expect((await apiCalls(origin)) - before).toBe(0);
  });

  it('parse: other triggers and bookings of accounts outside the connection are none; a body that is not a push throws ProviderError', async () => {
    const r = receiver.received[0];
    const customer = Buffer.from(
      JSON.stringify({ event_type: 'customer_created', event_data: { organisation: { id: accountIds[0] }, customer: { id: 'c' } } }),
    );
    expect(await connector.webhooks.parse!({ ...r, rawBody: customer })).toEqual([]);
    const payload = JSON.parse(r.rawBody.toString('utf8'));
    payload.event_data.organisation.id = 'ffffffffffffffffffffffff';
    expect(await connector.webhooks.parse!({ ...r, rawBody: Buffer.from(JSON.stringify(payload)) })).toEqual([]);
    await expect(connector.webhooks.parse!({ ...r, rawBody: Buffer.from('<html>') })).rejects.toBeInstanceOf(ProviderError);
    const noBooking = Buffer.from(JSON.stringify({ event_type: 'booking_created', event_data: { organisation: { id: accountIds[0] } } }));
    await expect(connector.webhooks.parse!({ ...r, rawBody: noBooking })).rejects.toBeInstanceOf(ProviderError);
  });
});

describe('Appointedd webhooks: polling', () => {
  it('changedBookings(since) has the booking created and the one cancelled since, in one call over every account', async () => {
    const before = await apiCalls(origin);
    const changed = await connector.webhooks.changedBookings(since);
    expect((await apiCalls(origin)) - before).toBe(1);
    const byRef = new Map(changed.map((b) => [b.ref, b]));
    expect(byRef.get(created)?.status).toBe(BookingStatus.CONFIRMED);
    expect(byRef.get(cancelled)?.status).toBe(BookingStatus.CANCELED);
    for (const b of changed) {
      expect(b.updatedAt!.getTime()).toBeGreaterThanOrEqual(since.getTime());
      expect(accountIds).toContain(b.organizationRef);
    }
  });

  it('changedBookings from after the events is empty', async () => {
    const later = new Date(Date.parse((await sandbox(origin, 'clock')).now) + 1_000);
    expect(await connector.webhooks.changedBookings(later)).toEqual([]);
  });
});
