import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BookingEventType, BookingStatus } from '../../src/connectors/enums.js';
import { ProviderError } from '../../src/connectors/errors.js';
import type { Connector, PushedRequest } from '../../src/connectors/types.js';
import { sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { HARBOR_ID, type Json, MAPLE_ID } from './onsched-helpers.js';
import { demoConnection } from './webhook-helpers.js';

// OnSched's webhook half (docs/platforms/onsched.md §4) on the demo tenant's connector of a
// sandbox-mode gateway: location webhooks registered at the emulator over HTTP (and read back with
// `GET /v3/webhook`), fired with `/__sandbox/events` at a local receiver, and the recorded requests
// run through `verify` and `parse`. A customer's own webhook on a location must survive every sync.

let tg: TestGateway;
let os: string;
let connector: Connector;
let connectionId: string;
let receiver: Recorder;
let target: { url: string; secret: string };
let foreignUrl: string;

const { BOOKING_CREATED, BOOKING_CANCELED, BOOKING_STARTING_SOON } = BookingEventType;
const DAY_MS = 86_400_000;
/** The seeded companies' API keys and locations (contract §1). */
const HARBOR_KEY = 'wFmDio2DDdsVcbettsTkridYsmBb33n8';
const MAPLE_KEY = 'vyJE3NVKuQ4lZpcnGvHxTPtdS5CmNaFh';
const MANHATTAN = 'a90e952a-4641-446b-a61a-eb684eab84c5';
const DENVER = 'b8e79be4-df1d-4c5d-9a22-0c2ffdc95f37';
const MAPLE_LOCATION = 'e2825079-2be6-4fd9-ad3c-335e35857458';
const LOCATIONS = [
  { key: HARBOR_KEY, id: MANHATTAN },
  { key: HARBOR_KEY, id: DENVER },
  { key: MAPLE_KEY, id: MAPLE_LOCATION },
];

const fire = (type: string, bookingId?: string) =>
  sandbox<{ bookingId: string; webhooksAttempted: number; webhooksDelivered: number }>(os, 'events', { type, ...(bookingId ? { bookingId } : {}) });

/** Calls the emulator's V3 webhook API as the company (Bearer of the gateway's connection + the company key). */
async function v3(key: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
  const token = await tg.gateway.services.tokens.forConnection(connectionId).peek('default');
  const res = await fetch(`${os}${path}`, {
    method,
    headers: { authorization: `Bearer ${token!.accessToken}`, 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Json;
}

const webhooksAt = async (loc: { key: string; id: string }) => (await v3(loc.key, 'GET', `/v3/webhook?locationId=${loc.id}`)).data as Json[];
const oursAt = async (loc: { key: string; id: string }) => (await webhooksAt(loc)).filter((w) => w.url === target.url);
const pushesToUs = () => receiver.received.filter((r) => r.path === new URL(target.url).pathname);

beforeAll(async () => {
  tg = await startTestGateway();
  os = tg.emulators.onsched as string;
  const demo = await demoConnection(tg, 'ONSCHED');
  connector = demo.connector;
  connectionId = demo.record.id;
  await connector.listOrganizations(); // a token for the direct V3 calls below
  receiver = await startRecorder({ path: '/webhooks/onsched/c0nn3ct10n', status: 204 });
  target = { url: receiver.url, secret: 'whsec_0123456789abcdef' };
  foreignUrl = `${receiver.origin}/theirs`;
  // A webhook the customer made themselves at the primary location.
  await v3(HARBOR_KEY, 'POST', `/v3/webhook?locationId=${MANHATTAN}`, {
    url: foreignUrl,
    headers: { 'X-Their-Token': 'theirs' },
    triggers: ['NEW_APPOINTMENT', 'APPOINTMENT_CANCELLED'],
  });
});
afterAll(async () => {
  await receiver?.close();
  await tg?.close();
});
beforeEach(() => receiver.clear());

/** The customer's webhook is still there, as they made it. */
async function expectForeignIntact() {
  const theirs = (await webhooksAt(LOCATIONS[0])).filter((w) => w.url === foreignUrl);
  expect(theirs).toHaveLength(1);
  expect(theirs[0]).toMatchObject({
    headers: { 'X-Their-Token': 'theirs' },
    triggers: ['NEW_APPOINTMENT', 'APPOINTMENT_CANCELLED'],
    active: true,
  });
}

describe('onsched webhooks', () => {
  it('declares native api push without timed events', () => {
    expect(connector.webhooks).toMatchObject({ mode: 'NATIVE', push: 'api', timedEvents: false });
  });

  it('registers one webhook per location, delivers, verifies and parses; re-sync and sync([]) remove ours, not theirs', async () => {
    const w = connector.webhooks;
    const reg = await w.sync!(target, [BOOKING_CREATED, BOOKING_CANCELED, BOOKING_STARTING_SOON], null);
    expect((reg as { locations: unknown[] }).locations).toHaveLength(3);
    for (const loc of LOCATIONS) {
      const ours = await oursAt(loc);
      expect(ours).toHaveLength(1);
      expect(ours[0].headers).toEqual({ 'X-Gateway-Token': target.secret });
      expect([...ours[0].triggers].sort()).toEqual(['APPOINTMENT_CANCELLED', 'NEW_APPOINTMENT']);
    }
    await expectForeignIntact();
    // A second sync with the same wish changes nothing (same webhook ids).
    const ids = await Promise.all(LOCATIONS.map(async (l) => (await oursAt(l))[0].id));
    await w.sync!(target, [BOOKING_CREATED, BOOKING_CANCELED], reg);
    expect(await Promise.all(LOCATIONS.map(async (l) => (await oursAt(l))[0].id))).toEqual(ids);

    // An online booking at Harbor's primary location: ours and theirs are called.
    const created = await fire('NEW_APPOINTMENT');
    expect(created).toMatchObject({ webhooksAttempted: 2, webhooksDelivered: 2 });
    const [push] = pushesToUs();
    expect(w.verify!(push, target.secret)).toBe(true);
    expect(w.verify!(push, 'whsec_0123456789abcdeX')).toBe(false);
    expect(w.verify!(push, 'whsec_short')).toBe(false);
    expect(w.verify!({ ...push, headers: {} }, target.secret)).toBe(false);
    const theirs = receiver.received.find((r) => r.path === '/theirs')!;
    expect(w.verify!(theirs, target.secret)).toBe(false);

    const [event, ...rest] = await w.parse!(push);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ eventId: null, type: BOOKING_CREATED, occurredAt: null });
    expect(event.booking.ref).toBe(`${HARBOR_ID}:${created.bookingId}`);
    const listed = await connector.listBookings({
      organizationRef: HARBOR_ID,
      startsAfter: event.booking.startsAt,
      startsBefore: new Date(event.booking.startsAt.getTime() + 1),
      limit: 10,
    });
    const same = listed.find((b) => b.nativeId === created.bookingId);
    expect(same).toBeDefined();
    for (const field of ['ref', 'nativeId', 'organizationRef', 'status', 'serviceRef', 'customerRef', 'timezone'] as const) {
      expect(event.booking[field], field).toEqual(same![field]);
    }
    expect(event.booking.startsAt.getTime()).toBe(same!.startsAt.getTime());

    // Cancelled on OnSched's site.
    receiver.clear();
    await fire('APPOINTMENT_CANCELLED', created.bookingId);
    const [canceled] = await w.parse!(pushesToUs()[0]);
    expect(canceled).toMatchObject({ type: BOOKING_CANCELED, booking: { ref: `${HARBOR_ID}:${created.bookingId}`, status: BookingStatus.CANCELED } });

    // Fewer types: NEW_APPOINTMENT only, everywhere; theirs as it was.
    const fewer = await w.sync!(target, [BOOKING_CREATED], reg);
    for (const loc of LOCATIONS) expect((await oursAt(loc)).map((x) => x.triggers)).toEqual([['NEW_APPOINTMENT']]);
    await expectForeignIntact();
    receiver.clear();
    const second = await fire('NEW_APPOINTMENT');
    expect(pushesToUs()).toHaveLength(1);
    receiver.clear();
    expect(await fire('APPOINTMENT_CANCELLED', second.bookingId)).toMatchObject({ webhooksAttempted: 1 });
    expect(pushesToUs()).toHaveLength(0);

    // Only events the gateway times: no trigger needed, ours removed.
    expect(await w.sync!(target, [BOOKING_STARTING_SOON], fewer)).toBeNull();
    for (const loc of LOCATIONS) expect(await oursAt(loc)).toEqual([]);
    await w.sync!(target, [BOOKING_CREATED], null);

    // Nothing wanted: ours gone everywhere, theirs untouched.
    expect(await w.sync!(target, [], fewer)).toBeNull();
    for (const loc of LOCATIONS) expect(await oursAt(loc)).toEqual([]);
    await expectForeignIntact();
    receiver.clear();
    expect(await fire('NEW_APPOINTMENT')).toMatchObject({ webhooksAttempted: 1 });
    expect(pushesToUs()).toHaveLength(0);
  });

  it("parses a push from another company's location with that company's refs", async () => {
    const w = connector.webhooks;
    const reg = await w.sync!(target, [BOOKING_CANCELED], null);
    const upcoming = await connector.listBookings({
      organizationRef: MAPLE_ID,
      statuses: [BookingStatus.CONFIRMED],
      startsAfter: new Date(Date.now() + DAY_MS),
      limit: 1,
    });
    expect(upcoming).toHaveLength(1);
    await fire('APPOINTMENT_CANCELLED', upcoming[0].nativeId);
    const pushes = pushesToUs();
    expect(pushes).toHaveLength(1);
    const [event] = await w.parse!(pushes[0]);
    expect(event).toMatchObject({ type: BOOKING_CANCELED, booking: { ref: upcoming[0].ref, organizationRef: MAPLE_ID, status: 'CANCELED' } });
    expect(event.booking.serviceRef).toBe(upcoming[0].serviceRef);
    expect(event.booking.customerRef).toBe(upcoming[0].customerRef);
    await w.sync!(target, [], reg);
  });

  it('gives no event for other triggers or for appointments that are not bookings; refuses a malformed body', async () => {
    const w = connector.webhooks;
    const reg = await w.sync!(target, [BOOKING_CREATED], null);
    await fire('NEW_APPOINTMENT');
    const body = JSON.parse(pushesToUs()[0].rawBody.toString()) as Json;
    await w.sync!(target, [], reg);
    const req = (b: unknown): PushedRequest => ({
      headers: {},
      query: new URLSearchParams(),
      rawBody: Buffer.from(typeof b === 'string' ? b : JSON.stringify(b)),
    });
    expect(await w.parse!(req(body))).toHaveLength(1);
    expect(await w.parse!(req({ ...body, trigger: 'APPOINTMENT_REMINDER' }))).toEqual([]);
    expect(await w.parse!(req({ ...body, trigger: 'APPOINTMENT_CONFIRMED' }))).toEqual([]);
    for (const status of ['IN', 'HD', 'RE']) {
      expect(await w.parse!(req({ ...body, appointment: { ...body.appointment, status } }))).toEqual([]);
    }
    await expect(w.parse!(req('{not json'))).rejects.toBeInstanceOf(ProviderError);
    await expect(w.parse!(req({ trigger: 'NEW_APPOINTMENT' }))).rejects.toBeInstanceOf(ProviderError);
  });

  it('changedBookings lists an appointment booked on the platform after `since`', async () => {
    const since = new Date(Date.now() - 1000);
    const made = await fire('NEW_APPOINTMENT');
    const changed = await connector.webhooks.changedBookings(since);
    expect(changed.map((b) => b.ref)).toContain(`${HARBOR_ID}:${made.bookingId}`);
    expect(new Set(changed.map((b) => b.organizationRef))).toEqual(new Set([HARBOR_ID, MAPLE_ID]));
    for (const b of changed) {
      expect(b.startsAt.getTime()).toBeGreaterThanOrEqual(Date.now() - DAY_MS - 60_000);
      expect(b.startsAt.getTime()).toBeLessThan(Date.now() + 32 * DAY_MS);
    }
  });
});
