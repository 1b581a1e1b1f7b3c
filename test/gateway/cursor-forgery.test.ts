import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorCodec, encodeBookingCursor, encodeListCursor } from '../../src/gateway/cursors.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { connectionOf, subscribe, waitFor } from '../events/event-helpers.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';

// Every cursor a client sees is signed for its tenant (HMAC with a key derived from the encryption
// key): a forged, edited, empty, foreign or out-of-range one is BAD_USER_INPUT before any platform
// is asked, and the cursors the gateway hands out still walk every list once, in order.

let gw: TestGateway;
let target: Recorder;
/** A codec with the gateway's own keys: signs payloads no gateway would ever make. */
let ours: CursorCodec;
const T = Date.UTC(2026, 2, 10, 9, 0, 0);

beforeAll(async () => {
  gw = await startTestGateway({ env: { POLL_INTERVAL_SECONDS: '1' } });
  target = await startRecorder();
  ours = CursorCodec.fromSecretBox(SecretBox.fromEnv(gw.encryptionKey));
});
afterAll(async () => {
  await target.close();
  await gw.close();
});

// A closed window: without `startsBefore`, bookingtime looks a fixed horizon past the later of the
// lower bound and now, so a walk whose lower bound moves further sees further (not a cursor matter).
const WINDOW = { startsAfter: new Date(Date.now() - 60 * 86_400_000).toISOString(), startsBefore: new Date(Date.now() + 120 * 86_400_000).toISOString() };
const BOOKINGS = `query($after: String, $first: Int) {
  bookings(first: $first, after: $after, filter: { startsAfter: "${WINDOW.startsAfter}", startsBefore: "${WINDOW.startsBefore}" }) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}`;
const SERVICES = `query($after: String, $first: Int) { services(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
const CUSTOMERS = `query($after: String, $first: Int) { customers(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;

/** Ids of every page of `query`, `first` at a time, following endCursor. */
async function walk(query: string, field: string, first: number, apiKey = gw.demoKey): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 500; pages++) {
    const r: any = await gql(gw.url, apiKey, query, { after, first });
    expect(r.body.errors).toBeUndefined();
    ids.push(...r.body.data[field].edges.map((e: any) => e.node.id));
    if (!r.body.data[field].pageInfo.hasNextPage) return ids;
    after = r.body.data[field].pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

async function firstCursor(query: string, field: string, apiKey = gw.demoKey): Promise<string> {
  const r = await gql(gw.url, apiKey, query, { first: 2 });
  return r.body.data[field].pageInfo.endCursor as string;
}

async function refused(query: string, after: string, apiKey = gw.demoKey) {
  const r = await gql(gw.url, apiKey, query, { after, first: 5 });
  expect(r.status).toBe(200);
  expect(r.body.data).toBeNull();
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  return r.body.errors?.[0].message as string;
}

describe('valid cursors still page', () => {
  it.each([
    ['bookings', BOOKINGS, 7],
    ['services', SERVICES, 3],
    ['customers', CUSTOMERS, 11],
  ])('%s: walking a few at a time with the signed endCursor yields what pages of 100 do, each item once', async (field, query, first) => {
    const all = await walk(query, field, 100);
    const walked = await walk(query, field, first);
    expect(walked).toEqual(all);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.length).toBeGreaterThan(first);
  });

  it('cursors are signed: <payload>.<tag>', async () => {
    const cursor = await firstCursor(BOOKINGS, 'bookings');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });
});

describe('forged cursors are BAD_USER_INPUT', () => {
  it('an empty `after` is refused, not read as "from the start"', async () => {
    for (const q of [BOOKINGS, SERVICES, CUSTOMERS]) expect(await refused(q, '')).toMatch(/`after` is empty/);
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['an unsigned cursor (from before cursors were signed)', encodeBookingCursor({ startsAt: T, connectionId: 'cn_a', ref: 'r' })],
    ['a cursor signed with another key', new CursorCodec([randomBytes(32)]).bookingCursor('x', { startsAt: new Date(T), connectionId: 'cn_a', ref: 'r' })],
    ['a truncated tag', 'eyJ.AAAA'],
    ['only a dot', '.'],
    ['a 100 KB string', 'A'.repeat(100_000)],
  ])('bookings with %s', async (_name, after) => {
    expect(await refused(BOOKINGS, after)).toMatch(/not a cursor this gateway issued to you/);
  });

  it('an edited payload with the original tag', async () => {
    const cursor = await firstCursor(BOOKINGS, 'bookings');
    const [, tag] = cursor.split('.');
    const edited = `${encodeBookingCursor({ startsAt: 1e15, connectionId: 'cn_a', ref: 'r' })}.${tag}`;
    expect(await refused(BOOKINGS, edited)).toMatch(/not a cursor this gateway issued/);
  });

  it('list cursors naming __proto__ or an unknown connection, unsigned', async () => {
    for (const connectionId of ['__proto__', 'constructor', 'cn_nobody']) {
      const forged = encodeListCursor({ connectionId, cursor: null, skip: 0 });
      expect(await refused(SERVICES, forged)).toMatch(/not a cursor this gateway issued/);
      expect(await refused(CUSTOMERS, forged)).toMatch(/not a cursor this gateway issued/);
    }
  });

  it('a booking cursor with startsAt 1e308 (or NaN, or a fraction) is refused even when signed with the gateway key', async () => {
    const tenantId = (await gw.gateway.services.tenants.authenticate(gw.demoKey))?.id as string;
    const sign = (payload: unknown) => signRaw(tenantId, payload);
    for (const startsAt of [1e308, 8.64e15, -1e20, 0.5]) {
      expect(await refused(BOOKINGS, sign(['b1', [startsAt, 'cn_a', 'r']]))).toMatch(/not a cursor of this list/);
    }
    expect(await refused(BOOKINGS, sign(['b1', [T, '', 'r']]))).toMatch(/not a cursor of this list/);
    expect(await refused(SERVICES, sign(['l1', ['cn_a', null, -1]]))).toMatch(/not a cursor of this list/);
  });

  it('a cursor of another list: a service cursor for bookings, a booking cursor for customers', async () => {
    expect(await refused(BOOKINGS, await firstCursor(SERVICES, 'services'))).toMatch(/not a cursor of this list/);
    expect(await refused(CUSTOMERS, await firstCursor(BOOKINGS, 'bookings'))).toMatch(/not a cursor of this list/);
  });

  it("another tenant's cursor is refused, and answers nothing of the first tenant's", async () => {
    const other = await gw.tenant();
    for (const [q, field] of [
      [BOOKINGS, 'bookings'],
      [SERVICES, 'services'],
      [CUSTOMERS, 'customers'],
    ] as const) {
      expect(await refused(q, await firstCursor(q, field), other.apiKey)).toMatch(/not a cursor this gateway issued to you/);
    }
  });

  it('no forged cursor reaches a platform (nothing blames a provider)', async () => {
    const r = await gql(gw.url, gw.demoKey, BOOKINGS, { after: signRaw('tn_x', ['b1', [1e308, 'cn_a', 'r']]), first: 5 });
    expect(r.body.errors?.every((e) => !e.extensions?.provider)).toBe(true);
  });
});

describe('webhook delivery cursors', () => {
  it('page through every delivery once; a raw delivery id, another subscription’s or tenant’s cursor is refused', async () => {
    const connection = await connectionOf(gw.url, gw.demoKey, 'DAYSCHEDULE');
    const sub = await subscribe(gw.url, gw.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'], targetUrl: target.url });
    for (let i = 0; i < 4; i++) await sandbox(gw.emulators.dayschedule as string, 'events', { type: 'event_scheduled' });
    const DELIVERIES = `query($after: String, $first: Int) { webhookSubscriptions { id deliveries(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const page = async (id: string, after: string | null, first: number, apiKey = gw.demoKey) => {
      const r = await gql(gw.url, apiKey, DELIVERIES, { after, first });
      return { errors: r.body.errors, conn: r.body.data?.webhookSubscriptions.find((s: any) => s.id === id)?.deliveries };
    };
    expect(await waitFor(() => target.received.length >= 4, 20_000)).toBe(true);
    const all = (await page(sub.id, null, 100)).conn.edges.map((e: any) => e.node.id);
    expect(all.length).toBeGreaterThanOrEqual(4);

    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const { errors, conn }: any = await page(sub.id, after, 1);
      expect(errors).toBeUndefined();
      walked.push(...conn.edges.map((e: any) => e.node.id));
      expect(conn.edges[0].cursor).not.toBe(conn.edges[0].node.id);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(walked).toEqual(all);

    const codeOf = async (afterCursor: string, apiKey = gw.demoKey) =>
      (await gql(gw.url, apiKey, DELIVERIES, { after: afterCursor, first: 5 })).body.errors?.[0]?.extensions?.code;
    expect(await codeOf(all[0])).toBe('BAD_USER_INPUT'); // a raw delivery id
    expect(await codeOf('')).toBe('BAD_USER_INPUT');
    // Another subscription's cursor (one query lists both: it is refused at the first one's field).
    const second = await subscribe(gw.url, gw.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'], targetUrl: target.url });
    await sandbox(gw.emulators.dayschedule as string, 'events', { type: 'event_scheduled' });
    expect(await waitFor(() => target.received.length >= 6, 20_000)).toBe(true);
    const secondCursor = (await page(second.id, null, 1)).conn.pageInfo.endCursor;
    const r = await gql(gw.url, gw.demoKey, DELIVERIES, { after: secondCursor, first: 5 });
    expect(r.body.errors?.map((e) => `${e.extensions?.code}: ${e.message}`)).toContain(
      'BAD_USER_INPUT: `after` is not a cursor of this list: pass an endCursor this list returned',
    );
    const other = await gw.tenant();
    expect(await codeOf(secondCursor, other.apiKey)).toBeUndefined(); // the other tenant has no subscriptions to list
  });
});

/** Signs an arbitrary payload with the gateway's own cursor key, as only a gateway bug could. */
function signRaw(tenantId: string, payload: unknown): string {
  const raw = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return (ours as unknown as { sign(t: string, p: string): string }).sign(tenantId, raw);
}

describe('the cursor key', () => {
  const at = { startsAt: new Date(T), connectionId: 'cn_a', ref: 'r' };

  it('is derived (HKDF) from the encryption key, not the key itself, and differs per purpose', () => {
    const raw = randomBytes(32);
    const box = new SecretBox([{ id: 'k1', key: raw }]);
    const [cursorKey] = box.derivedKeys('bookgraph cursor hmac v1');
    expect(cursorKey).toHaveLength(32);
    expect(cursorKey.equals(raw)).toBe(false);
    expect(cursorKey.equals(box.derivedKeys('something else')[0])).toBe(false);
    expect(cursorKey.equals(new SecretBox([{ id: 'k1', key: raw }]).derivedKeys('bookgraph cursor hmac v1')[0])).toBe(true);
  });

  it('survives a rotation that keeps the old key listed: old cursors verify, new ones are signed with the new key', () => {
    const k1 = { id: 'k1', key: randomBytes(32) };
    const k2 = { id: 'k2', key: randomBytes(32) };
    const before = CursorCodec.fromSecretBox(new SecretBox([k1]));
    const after = CursorCodec.fromSecretBox(new SecretBox([k2, k1]));
    const old = before.bookingCursor('tn_1', { ...at });
    expect(after.decodeBooking('tn_1', old)).toEqual({ startsAt: T, connectionId: 'cn_a', ref: 'r' });
    expect(() => after.decodeBooking('tn_2', old)).toThrow(/not a cursor this gateway issued to you/);
    expect(() => before.decodeBooking('tn_1', after.bookingCursor('tn_1', { ...at }))).toThrow(/not a cursor this gateway issued/);
    expect(() => CursorCodec.fromSecretBox(new SecretBox([k2])).decodeBooking('tn_1', old)).toThrow(/not a cursor this gateway issued/);
  });
});
