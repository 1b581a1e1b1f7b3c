import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingSchema, documentOf, listDocumentOf, slotSchema } from '../../src/connectors/appointedd/schemas.js';
import { firstWindowEnd, nextWindowEnd, widerWindowEnd } from '../../src/connectors/appointedd/windows.js';
import { type GqlResult, sandbox, startTestGateway } from '../helpers/gateway.js';
import { byStartThenId, connectOrFail, costOf, freshTenant, NESTED, nativeIds, PAGE, type Upstream } from './economy-helpers.js';

/**
 * What reads cost Appointedd (issue "read path at the speed of the slowest platform"): upstream API
 * calls counted by the emulator (`/__sandbox/stats` `api`), through the real gateway over GraphQL.
 * Counts, never times. A "cold" read uses a connection of its own (a new tenant), so its caches start
 * empty; a "warm" one repeats a read with a different `first`, so only the connector's own caches can
 * help. The platform cannot sort bookings by start (docs/platforms/appointedd.md §3.4).
 */

const ONLY = { providers: ['APPOINTEDD'] };
const DAY_MS = 86_400_000;

interface Gateway extends Upstream {
  creds: any;
}

async function start(): Promise<Gateway> {
  const gw = await startTestGateway();
  const origin = gw.emulators.appointedd as string;
  return { gw, origin, creds: await sandbox(origin, 'credentials') };
}

/** A new tenant connected with the all-accounts client: a connection with cold caches. */
function fresh({ gw, creds }: Gateway): Promise<string> {
  return freshTenant(gw, (apiKey) => connectOrFail(gw, apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: creds.client_secret }));
}

/** A bearer token of the all-accounts client, straight from the emulator. */
async function platformToken({ origin, creds }: Gateway): Promise<string> {
  const res = await fetch(`${origin}/v2/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: creds.client_id, client_secret: creds.client_secret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

interface PlatformBooking {
  id: string;
  start: number;
  status: string;
  /** Unified COMPLETED (docs/platforms/appointedd.md §6): confirmed, and attended or ended by the gateway's clock. */
  completed: boolean;
}

/** Every booking the emulator holds, in the connector's (startsAt, id) order. */
async function platformBookings(g: Gateway): Promise<PlatformBooking[]> {
  const token = await platformToken(g);
  const out: PlatformBooking[] = [];
  let url: string | null = `${g.origin}/v2/bookings?page[limit]=100`;
  while (url) {
    const page: any = await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json();
    for (const b of page.data) {
      const participant = b.attributes.customers[0]?.status ?? '';
      const completed =
        b.attributes.status === 'confirmed' && participant !== 'No Show' && (participant === 'Attended' || Date.parse(b.attributes.end) <= Date.now());
      out.push({ id: b.id, start: Date.parse(b.attributes.start), status: b.attributes.status, completed });
    }
    url = page.links.next;
  }
  return out.sort(byStartThenId);
}

/**
 * Books free slots of every account's first service (one per free resource and start, over the next
 * 24 weeks) until `count` bookings were made, straight through the platform API.
 */
async function addBookings(g: Gateway, count: number): Promise<void> {
  const token = await platformToken(g);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.api+json' };
  const get = async (path: string) => (await (await fetch(`${g.origin}/v2${path}`, { headers })).json()) as any;
  const now = Date.parse((await sandbox(g.origin, 'clock')).now);
  let made = 0;
  for (const account of (await get('/accounts')).data) {
    const service = (await get(`/services?filter[account_id]=${account.id}&page[limit]=100`)).data[0];
    const customers = (await get(`/customers?filter[account_id]=${account.id}&page[limit]=100`)).data;
    for (let from = now + DAY_MS; from < now + 168 * DAY_MS && made < count; from += 42 * DAY_MS) {
      const range = `filter[start]=${new Date(from).toISOString()}&filter[end]=${new Date(from + 42 * DAY_MS).toISOString()}`;
      for (const slot of (await get(`/availability/slots?filter[service_id]=${service.id}&${range}`)).data) {
        if (made >= count) break;
        const res = await fetch(`${g.origin}/v2/bookings`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/vnd.api+json' },
          body: JSON.stringify({
            data: {
              type: 'bookings',
              attributes: { start: slot.attributes.start, customers: [{ customer_id: customers[made % customers.length].id, spaces: 1 }] },
              relationships: { service: { data: { type: 'services', id: service.id } }, resource: slot.relationships.resource },
            },
          }),
        });
        if (res.status === 201) made++;
        else if (res.status !== 409) throw new Error(`booking a slot: HTTP ${res.status} ${await res.text()}`);
      }
    }
  }
  expect(made).toBe(count);
}

describe('Appointedd connector: schemas', () => {
  it('builds each document schema once and reuses it', () => {
    expect(documentOf(bookingSchema)).toBe(documentOf(bookingSchema));
    expect(listDocumentOf(bookingSchema)).toBe(listDocumentOf(bookingSchema));
    expect(listDocumentOf(slotSchema)).not.toBe(listDocumentOf(bookingSchema));
  });

  it('estimates a first window of starts from a sample, then moves it by counts', () => {
    const HOUR = 3_600_000;
    const starts = Array.from({ length: 100 }, (_, i) => (99 - i) * 1_000);
    // 1,000 bookings, 100 sampled, 40 wanted: the 4th earliest sampled start.
    expect(firstWindowEnd(starts, 1_000, 40)).toBe(3_000);
    expect(firstWindowEnd(starts, 100, 160)).toBe(99_000);
    expect(firstWindowEnd([5_000], 10_000, 1)).toBe(5_000);
    expect(widerWindowEnd(0, 10 * HOUR)).toBe(30 * HOUR);
    expect(widerWindowEnd(1_000, 1_000)).toBe(1_000 + 2 * HOUR);
    const size = { least: 20, most: 100, target: 40 };
    // Between too few (0 by 0) and too many (200 by 1,000): where 40 would start if evenly spread.
    expect(
      nextWindowEnd(
        [
          { at: 0, count: 0 },
          { at: 1_000, count: 200 },
        ],
        size,
        0,
      ),
    ).toBe(200);
    expect(
      nextWindowEnd(
        [
          { at: 0, count: 0 },
          { at: 1, count: 300 },
        ],
        size,
        0,
      ),
    ).toBeNull();
    // Too few only: from the two latest counts (10 per hour) to 40, or twice `scale` later.
    expect(
      nextWindowEnd(
        [
          { at: 0, count: 0 },
          { at: HOUR, count: 10 },
        ],
        size,
        0,
      ),
    ).toBe(4 * HOUR);
    expect(nextWindowEnd([{ at: 10 * HOUR, count: 3 }], size, 5 * HOUR)).toBe(20 * HOUR);
    // Too many only (no lower bound): back from the two earliest counts, or twice `scale` earlier.
    expect(
      nextWindowEnd(
        [
          { at: 10 * HOUR, count: 500 },
          { at: 11 * HOUR, count: 600 },
        ],
        size,
        0,
      ),
    ).toBe(10 * HOUR - 4.6 * HOUR);
    expect(nextWindowEnd([{ at: 10 * HOUR, count: 500 }], size, 4 * HOUR)).toBe(2 * HOUR);
    // No farther than 32 times the distance of the two counts.
    expect(
      nextWindowEnd(
        [
          { at: 0, count: 0 },
          { at: HOUR, count: 1 },
        ],
        size,
        0,
      ),
    ).toBe(33 * HOUR);
    expect(nextWindowEnd([], size, 0)).toBeNull();
  });
});

describe('Appointedd connector: upstream calls per read (seeded data, 60 bookings)', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await start();
  });
  afterAll(() => g?.gw.close());

  it('a first: 20 page is one listing call, cold and warm; the page after it is one more', async () => {
    const key = await fresh(g);
    const cold = await costOf(g, key, PAGE, { first: 20, filter: ONLY });
    expect(cold.r.body.data.bookings.edges).toHaveLength(20);
    // Every booking fits one page of 100 (`meta.total`), so nothing else is read.
    expect(cold.api).toBe(1);
    const warm = await costOf(g, key, PAGE, { first: 19, filter: ONLY });
    expect(warm.api).toBe(1);
    const next = await costOf(g, key, PAGE, { first: 20, after: cold.r.body.data.bookings.pageInfo.endCursor, filter: ONLY });
    expect(next.r.body.data.bookings.edges).toHaveLength(20);
    expect(next.api).toBe(1);
    const expected = (await platformBookings(g)).map((b) => b.id);
    const seen = [...nativeIds(cold.r), ...nativeIds(next.r)];
    expect(seen).toEqual(expected.slice(0, 40));
  });

  it('service, customer and organization of 50 bookings: one listing per relation kind, cold; nothing more warm', async () => {
    const key = await fresh(g);
    const cold = await costOf(g, key, NESTED, { first: 50, filter: ONLY });
    const nodes = cold.r.body.data.bookings.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(50);
    expect(nodes.every((n: any) => n.service?.name && n.customer?.firstName && n.organization?.name)).toBe(true);
    // bookings, then one listing each of services, customers and accounts (both accounts in each).
    expect(cold.api).toBe(4);
    const warm = await costOf(g, key, NESTED, { first: 49, filter: ONLY });
    expect(warm.api).toBe(1);
  });

  it('two customers are one listing, not a look-up each', async () => {
    const key = await fresh(g);
    const r = await costOf(g, key, '{ bookings(first: 2, filter: { providers: [APPOINTEDD] }) { edges { node { customer { firstName } } } } }', {});
    const customers = r.r.body.data.bookings.edges.map((e: any) => e.node.customer?.firstName);
    expect(customers).toHaveLength(2);
    expect(customers.every(Boolean)).toBe(true);
    expect(r.api).toBeLessThanOrEqual(2);
  });
});

describe('Appointedd connector: upstream calls per read (1,000 bookings, ten pages)', () => {
  let g: Gateway;
  let all: PlatformBooking[];
  /** What reading every booking from `lower` on costs: ⌈n / 100⌉ pages (at least one). */
  const everyPage = (lower: number) => Math.max(1, Math.ceil(all.filter((b) => b.start >= lower).length / 100));
  beforeAll(async () => {
    g = await start();
    await addBookings(g, 940);
    all = await platformBookings(g);
    expect(all.length).toBe(1000);
  });
  afterAll(() => g?.gw.close());

  it('a first: 20 page reads one page, a few counts and one window, not every page', async () => {
    const key = await fresh(g);
    const cold = await costOf(g, key, PAGE, { first: 20, filter: ONLY });
    expect(nativeIds(cold.r)).toEqual(all.slice(0, 20).map((b) => b.id));
    // One page of 100 (a sample of starts and `meta.total`), a few one-item counts to place the
    // window, the window itself: about 150 bookings read where reading everything takes 10 pages.
    expect(everyPage(-Infinity)).toBe(10);
    expect(cold.api).toBeLessThanOrEqual(6);
    const warm = await costOf(g, key, PAGE, { first: 19, filter: ONLY });
    expect(nativeIds(warm.r)).toEqual(all.slice(0, 19).map((b) => b.id));
    expect(warm.api).toBeLessThanOrEqual(6);
  });

  it('pages via after to the end: every booking once, in (startsAt, id) order, in fewer calls than reading from the position on', async () => {
    const key = await fresh(g);
    const seen: string[] = [];
    let after: string | null = null;
    let lower = -Infinity;
    let calls = 0;
    let everything = 0;
    for (let pages = 0; pages < 30; pages++) {
      const page: { r: GqlResult; api: number } = await costOf(g, key, PAGE, { first: 40, after, filter: ONLY });
      const ids: string[] = nativeIds(page.r);
      seen.push(...ids);
      calls += page.api;
      everything += everyPage(lower);
      // A window search that fails spends at most what reading from the position on takes, then reads.
      expect(page.api).toBeLessThanOrEqual(2 * everyPage(lower));
      if (!page.r.body.data.bookings.pageInfo.hasNextPage) break;
      after = page.r.body.data.bookings.pageInfo.endCursor;
      lower = all.find((b) => b.id === ids.at(-1))!.start;
    }
    expect(seen).toEqual(all.map((b) => b.id));
    expect(calls).toBeLessThan(everything);
  });

  it('filters by status and start exactly', async () => {
    const key = await fresh(g);
    const startsAfter = new Date(all[Math.floor(all.length / 3)].start).toISOString();
    const r = await costOf(g, key, PAGE, { first: 30, filter: { ...ONLY, startsAfter, status: ['CANCELED'] } });
    const expected = all.filter((b) => b.start >= Date.parse(startsAfter) && b.status === 'cancelled').slice(0, 30);
    expect(nativeIds(r.r)).toEqual(expected.map((b) => b.id));
    // `filter[status]` and `filter[start_gte]` leave one page.
    expect(r.api).toBe(1);
  });

  it('a status the platform cannot tell apart (COMPLETED among confirmed) widens the window until the page is full, exactly', async () => {
    const key = await fresh(g);
    const r = await costOf(g, key, PAGE, { first: 25, filter: { ...ONLY, status: ['COMPLETED'] } });
    const expected = all.filter((b) => b.completed).slice(0, 25);
    expect(expected.length).toBeGreaterThan(0);
    expect(nativeIds(r.r)).toEqual(expected.map((b) => b.id));
  });

  it('a window ending before startsBefore: the bookings of one week, exactly', async () => {
    const key = await fresh(g);
    const from = all[200].start;
    const to = from + 7 * DAY_MS;
    const r = await costOf(g, key, PAGE, {
      first: 100,
      filter: { ...ONLY, startsAfter: new Date(from).toISOString(), startsBefore: new Date(to).toISOString() },
    });
    const expected = all.filter((b) => b.start >= from && b.start < to).slice(0, 100);
    expect(nativeIds(r.r)).toEqual(expected.map((b) => b.id));
    expect(r.api).toBeLessThan(everyPage(from));
  });
});
