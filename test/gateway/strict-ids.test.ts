import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/connectors/platforms.js';
import { decodeId, encodeId, type NodeType } from '../../src/gateway/ids.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// Forged global IDs: a real connection of the caller's tenant with a native ref the platform never
// made. `node(id:)` answers null (the README's promise for unknown IDs); a mutation answers
// BAD_USER_INPUT (malformed) or NOT_FOUND (well-formed but unknown) — never INTERNAL_SERVER_ERROR or
// PROVIDER_ERROR, which would blame the platform for the caller's input.

const GARBAGE: Array<[string, string]> = [
  ['"0"', '0'],
  ['"-1"', '-1'],
  ['"../x"', '../x'],
  ['"%2e%2e"', '%2e%2e'],
  ['"a/b?c#d"', 'a/b?c#d'],
  ['a 5 KB string', 'x'.repeat(5_000)],
  ['unicode', 'ünï😀code'],
  ['a space', ' '],
  ['"null"', 'null'],
  ['"__proto__"', '__proto__'],
  ['24 zeros (a well-formed Mongo id nobody has)', '0'.repeat(24)],
  ['a huge number', '99999999999999999999999'],
];

const TYPES: NodeType[] = ['Organization', 'Service', 'Customer', 'Booking'];

let gw: TestGateway;
const connections = new Map<Provider, string>();

beforeAll(async () => {
  gw = await startTestGateway();
  const r = await gql(gw.url, gw.demoKey, '{ connections { id provider status } }');
  for (const c of r.body.data.connections) connections.set(c.provider, decodeId(c.id)?.connectionId as string);
  expect(connections.size).toBe(5);
});
afterAll(() => gw.close());

const forged = (provider: Provider, type: NodeType, ref: string) => encodeId({ type, provider, connectionId: connections.get(provider) as string, ref });

const PROVIDERS: Provider[] = ['APPOINTEDD', 'BOOKINGTIME', 'DAYSCHEDULE', 'ONSCHED', 'YAPPOINTMENT'];

describe.each(PROVIDERS)('%s: forged native ids', (provider) => {
  it('node(id:) answers null, without an error, for every type and garbage ref', async () => {
    const cases = TYPES.flatMap((type) => GARBAGE.map(([name, ref]) => ({ type, name, ref })));
    // One request per ref (aliases), so a failing ref shows by name.
    const fields = cases.map((c, i) => `n${i}: node(id: ${JSON.stringify(forged(provider, c.type, c.ref))}) { id }`).join('\n');
    const r = await gql(gw.url, gw.demoKey, `{ ${fields} }`);
    const failures = (r.body.errors ?? []).map((e) => {
      const i = Number(String(e.path?.[0]).slice(1));
      return `${cases[i]?.type} ${cases[i]?.name}: ${e.extensions?.code} ${e.message}`;
    });
    expect(failures).toEqual([]);
    expect(Object.values(r.body.data).every((v) => v === null)).toBe(true);
  });

  it.each(GARBAGE)("cancelBooking with ref %s answers one client error, not the platform's", async (_name, ref) => {
    const r = await gql(gw.url, gw.demoKey, 'mutation($id: ID!) { cancelBooking(id: $id) { id } }', { id: forged(provider, 'Booking', ref) });
    expect(r.body.data).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    // A malformed ref is BAD_USER_INPUT, a well-formed unknown one NOT_FOUND; FORBIDDEN where the
    // connection was not granted writes (the platform checks the scope before the id).
    expect(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN']).toContain(r.body.errors?.[0].extensions?.code);
  });

  it('availability with a forged service ref answers BAD_USER_INPUT or NOT_FOUND for every garbage ref', async () => {
    const codes: string[] = [];
    for (const [name, ref] of GARBAGE) {
      const a = await gql(
        gw.url,
        gw.demoKey,
        'query($id: ID!) { availability(serviceId: $id, from: "2030-01-01T00:00:00Z", to: "2030-01-02T00:00:00Z") { startsAt } }',
        {
          id: forged(provider, 'Service', ref),
        },
      );
      codes.push(`${name}: ${a.body.errors?.map((e) => e.extensions?.code).join(',')}`);
    }
    expect(codes.filter((c) => !/: (BAD_USER_INPUT|NOT_FOUND)$/.test(c))).toEqual([]);
  });
});

describe('DaySchedule: the platform refusing an id as malformed', () => {
  it('a 400 ("… must be a mongodb id") to a look-up by id is not found: node answers null', async () => {
    const ds = gw.emulators.dayschedule as string;
    await sandbox(ds, 'faults', { match: '/v1/bookings/', status: 400 });
    try {
      const r = await gql(gw.url, gw.demoKey, 'query($id: ID!) { node(id: $id) { id } }', { id: forged('DAYSCHEDULE', 'Booking', 'f'.repeat(24)) });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.node).toBeNull();
    } finally {
      await sandbox(ds, 'faults', undefined, 'DELETE');
    }
  });
});

describe('malformed global ids', () => {
  it.each([
    ['empty', ''],
    ['not base64url', '../../etc'],
    ['another prefix', Buffer.from(JSON.stringify(['bg0', 'Booking', 'DAYSCHEDULE', 'x', 'y'])).toString('base64url')],
    ['a non-string ref', Buffer.from(JSON.stringify(['bg1', 'Booking', 'DAYSCHEDULE', 'x', 7])).toString('base64url')],
    ['an unknown connection', encodeId({ type: 'Booking', provider: 'DAYSCHEDULE', connectionId: 'cn_nobody', ref: '0'.repeat(24) })],
    ['__proto__ as type', Buffer.from(JSON.stringify(['bg1', '__proto__', 'DAYSCHEDULE', 'x', 'y'])).toString('base64url')],
  ])('node(id:) of %s is null', async (_name, id) => {
    const r = await gql(gw.url, gw.demoKey, 'query($id: ID!) { node(id: $id) { id } }', { id });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.node).toBeNull();
  });
});
