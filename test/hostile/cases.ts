import { getIntrospectionQuery } from 'graphql';

/**
 * Generated hostile requests, grouped by kind. Pure: a case is data (what to send, what must come
 * back); `hostile.test.ts` sends them to a real gateway. `expect`:
 * - `ok`: a valid request that must answer data without errors;
 * - `refused`: must be refused with one of `codes` (a typed error, never data);
 * - `typed`: anything goes as long as every error carries a known code (not INTERNAL_SERVER_ERROR).
 */
export interface HostileCase {
  group: string;
  name: string;
  /** GraphQL request (JSON body), or a raw HTTP request. */
  gql?: { query: string; variables?: Record<string, unknown>; operationName?: string };
  raw?: { method?: string; contentType?: string | null; body?: string | Buffer; search?: string };
  expect: 'ok' | 'refused' | 'typed';
  codes?: string[];
  /** An HTTP status that is the refusal itself (answered below the gateway, without a GraphQL body). */
  httpStatus?: number;
}

/** What the generators need from the running gateway: real records to forge from and to read. */
export interface Seeds {
  organizationId: string;
  connectionIds: string[];
  connections: Array<{ provider: string; connectionId: string }>;
  bookingCursor: string;
  listCursor: string;
  bookingId: string;
}

const LIMIT = ['QUERY_TOO_COMPLEX'];
const LIMIT_OR_INPUT = ['QUERY_TOO_COMPLEX', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];
const INVALID = ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'QUERY_TOO_COMPLEX'];

/** `{ organizations { id connection { organizations { id connection { … } } } } }` with `levels` organizations. */
export function orgNesting(levels: number, leaf = 'id'): string {
  let q = `organizations { ${leaf} }`;
  for (let i = 1; i < levels; i++) q = `organizations { ${leaf} connection { ${q} } }`;
  return `{ ${q} }`;
}

function nesting(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const levels of [1, 2, 3]) out.push({ group: 'nesting', name: `organizations×${levels}`, gql: { query: orgNesting(levels) }, expect: 'ok' });
  for (const levels of [4, 5, 6, 7, 8, 9, 10, 12, 16, 20, 30, 50, 100, 200]) {
    out.push({ group: 'nesting', name: `organizations×${levels}`, gql: { query: orgNesting(levels) }, expect: 'refused', codes: LIMIT });
    out.push({
      group: 'nesting',
      name: `organizations×${levels} (__typename)`,
      gql: { query: orgNesting(levels, '__typename') },
      expect: 'refused',
      codes: LIMIT,
    });
    out.push({
      group: 'nesting',
      name: `organizations×${levels} (raw)`,
      gql: { query: orgNesting(levels, 'id raw') },
      expect: 'refused',
      codes: LIMIT,
    });
  }
  // The same nesting through a fragment per level.
  for (const levels of [3, 10, 50, 200]) {
    const frags = Array.from(
      { length: levels },
      (_, i) => `fragment L${i} on Organization { id connection { ${i + 1 < levels ? `organizations { ...L${i + 1} }` : 'id'} } }`,
    ).join('\n');
    out.push({
      group: 'nesting',
      name: `organizations×${levels} through fragments`,
      gql: { query: `{ organizations { ...L0 } }\n${frags}` },
      expect: levels <= 3 ? 'ok' : 'refused',
      codes: LIMIT,
    });
  }
  // Deep lists: connections inside connections.
  for (const levels of [2, 3, 4, 6, 10, 25]) {
    let q = 'id';
    for (let i = 0; i < levels; i++) q = `bookings(first: 10) { edges { node { customer { id ${q} } } } }`;
    out.push({ group: 'deep lists', name: `bookings→customer→bookings ×${levels}`, gql: { query: `{ ${q} }` }, expect: levels <= 1 ? 'ok' : 'typed' });
    let c = 'id';
    for (let i = 0; i < levels; i++) c = `id bookings(first: 20) { edges { node { id customer { ${c} } } } }`;
    out.push({
      group: 'deep lists',
      name: `customers→bookings ×${levels}`,
      gql: { query: `{ customers(first: 20) { edges { node { ${c} } } } }` },
      expect: 'refused',
      codes: LIMIT,
    });
  }
  return out;
}

const ALIASED_FIELDS: Array<[string, (i: number) => string]> = [
  ['__typename', () => '__typename'],
  ['connections', () => 'connections { id }'],
  ['organizations', () => 'organizations { id }'],
  [
    'bookings(first: 100)',
    (i) => `bookings(first: 100, filter: { startsAfter: "2020-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z" }) { edges { node { id } } }`,
  ],
  ['organizations.customers.bookings', () => 'organizations { customers { edges { node { bookings { edges { node { id } } } } } } }'],
  ['node', () => 'node(id: "x") { id }'],
];

function aliasBombs(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const [what, field] of ALIASED_FIELDS) {
    for (const n of [1, 2, 10, 50, 100, 101, 150, 300, 1_000, 3_000, 10_000]) {
      const query = `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field(i)}`).join(' ')} }`;
      // __typename aliases are free (graphql-armor's allow-list) but still count as tokens; the
      // others are refused by aliases, tokens, cost, or the 1 MB body bound, whichever comes first.
      const allowed =
        what === '__typename' ? n <= 1_000 : what === 'bookings(first: 100)' ? n <= 10 : what === 'organizations.customers.bookings' ? false : n <= 100;
      out.push({
        group: 'aliases',
        name: `${n}× ${what}`,
        gql: { query },
        expect: allowed ? 'typed' : 'refused',
        codes: [...LIMIT, 'BAD_REQUEST'],
      });
    }
  }
  // The same response name many times (no alias): OverlappingFieldsCanBeMerged's quadratic case.
  for (const n of [10, 100, 1_000, 2_400, 10_000, 100_000]) {
    out.push({
      group: 'aliases',
      name: `${n}× the same field`,
      gql: { query: `{ ${'connections { id } '.repeat(n)}}` },
      expect: n <= 100 ? 'ok' : 'refused',
      codes: [...LIMIT, 'BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED'],
    });
  }
  return out;
}

function fragmentTricks(): HostileCase[] {
  const out: HostileCase[] = [];
  out.push({
    group: 'fragments',
    name: 'self cycle',
    gql: { query: '{ organizations { ...A } } fragment A on Organization { id ...A }' },
    expect: 'refused',
    codes: INVALID,
  });
  out.push({
    group: 'fragments',
    name: 'two-fragment cycle',
    gql: { query: '{ organizations { ...A } } fragment A on Organization { id ...B } fragment B on Organization { name ...A }' },
    expect: 'refused',
    codes: INVALID,
  });
  for (const n of [3, 10, 100]) {
    const frags = Array.from({ length: n }, (_, i) => `fragment F${i} on Organization { id ...F${(i + 1) % n} }`).join(' ');
    out.push({ group: 'fragments', name: `cycle of ${n}`, gql: { query: `{ organizations { ...F0 } } ${frags}` }, expect: 'refused', codes: INVALID });
  }
  // Fan-out: every level spreads the next one k times (k^levels selections once spread).
  for (const k of [2, 3, 5, 10]) {
    for (const levels of [2, 4, 6, 8, 12, 20]) {
      const frags = Array.from(
        { length: levels },
        (_, i) => `fragment F${i} on Query { ${i + 1 < levels ? Array.from({ length: k }, () => `...F${i + 1}`).join(' ') : 'connections { id }'} }`,
      ).join('\n');
      const spread = k ** levels;
      out.push({
        group: 'fragments',
        name: `fan-out ${k}^${levels}`,
        gql: { query: `{ ...F0 }\n${frags}` },
        expect: spread <= 1_000 ? 'typed' : 'refused',
        codes: LIMIT,
      });
    }
  }
  for (const n of [10, 100, 1_000, 3_000, 10_000]) {
    out.push({
      group: 'fragments',
      name: `one fragment spread ${n} times`,
      gql: { query: `{ organizations { ${'...O '.repeat(n)}} } fragment O on Organization { id name connection { id } }` },
      expect: n <= 1_000 ? 'typed' : 'refused',
      codes: LIMIT,
    });
    out.push({
      group: 'fragments',
      name: `${n} unused fragments`,
      gql: { query: `{ connections { id } } ${Array.from({ length: n }, (_, i) => `fragment U${i} on Query { connections { id } }`).join(' ')}` },
      expect: 'refused',
      codes: INVALID,
    });
    out.push({
      group: 'fragments',
      name: `${n} nested inline fragments`,
      gql: { query: `{ ${'... on Query { '.repeat(n)}connections { id }${' }'.repeat(n)} }` },
      expect: n <= 10 ? 'ok' : 'typed',
      codes: LIMIT,
    });
  }
  out.push({
    group: 'fragments',
    name: 'fragment on the wrong type',
    gql: { query: '{ organizations { ...B } } fragment B on Booking { id }' },
    expect: 'refused',
    codes: INVALID,
  });
  out.push({ group: 'fragments', name: 'unknown fragment', gql: { query: '{ organizations { ...Nope } }' }, expect: 'refused', codes: INVALID });
  out.push({
    group: 'fragments',
    name: 'interface fragments on node',
    gql: { query: '{ node(id: "x") { ... on Booking { id } ... on Customer { id } ... on Organization { id } } }' },
    expect: 'ok',
  });
  return out;
}

const FIRSTS: Array<number | string> = [0, 1, 50, 100, 101, 1_000, 2_147_483_647, -1, -2_147_483_648];
const FIRST_FIELDS: Array<[string, (first: string) => string]> = [
  ['bookings', (f) => `bookings(first: ${f}) { edges { node { id } } }`],
  ['customers', (f) => `customers(first: ${f}) { edges { node { id } } }`],
  ['services', (f) => `services(first: ${f}) { edges { node { id } } }`],
  ['organizations.bookings', (f) => `organizations { bookings(first: ${f}) { edges { node { id } } } }`],
  [
    'organizations.customers.bookings',
    (f) => `organizations { customers(first: ${f}) { edges { node { bookings(first: ${f}) { edges { node { id } } } } } } }`,
  ],
];

function hugeFirst(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const [what, field] of FIRST_FIELDS) {
    for (const first of FIRSTS) {
      const valid = typeof first === 'number' && first >= 0 && first <= 100;
      const small = typeof first === 'number' && first >= 0 && first <= 1;
      const affordable = what === 'organizations.customers.bookings' ? small : what === 'organizations.bookings' ? Number(first) <= 50 : true;
      const expect = valid && affordable ? 'ok' : 'refused';
      out.push({ group: 'first', name: `${what}(first: ${first}) literal`, gql: { query: `{ ${field(String(first))} }` }, expect, codes: LIMIT_OR_INPUT });
      out.push({
        group: 'first',
        name: `${what}(first: ${first}) variable`,
        gql: { query: `query($n: Int) { ${field('$n')} }`, variables: { n: first } },
        expect,
        codes: LIMIT_OR_INPUT,
      });
    }
    for (const bad of ['1e308', '"100"', '1.5', 'null', '[1]', '{}', '9007199254740993', '-0']) {
      out.push({ group: 'first', name: `${what}(first: ${bad}) literal`, gql: { query: `{ ${field(bad)} }` }, expect: 'typed', codes: LIMIT_OR_INPUT });
      let value: unknown;
      try {
        value = JSON.parse(bad);
      } catch {
        value = bad;
      }
      out.push({
        group: 'first',
        name: `${what}(first: ${bad}) variable`,
        gql: { query: `query($n: Int) { ${field('$n')} }`, variables: { n: value } },
        expect: 'typed',
        codes: LIMIT_OR_INPUT,
      });
    }
  }
  return out;
}

function directiveFloods(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const n of [1, 10, 50, 51, 100, 1_000, 5_000]) {
    // @include and @skip are not repeatable: twice on one field is invalid before any limit applies.
    const expect = n <= 1 ? 'ok' : 'refused';
    const codes = [...LIMIT, ...INVALID];
    out.push({
      group: 'directives',
      name: `${n}× @include on one field`,
      gql: { query: `{ connections ${'@include(if: true) '.repeat(n)}{ id } }` },
      expect,
      codes,
    });
    out.push({
      group: 'directives',
      name: `${n}× @skip(if: false) on one field`,
      gql: { query: `{ connections ${'@skip(if: false) '.repeat(n)}{ id } }` },
      expect,
      codes,
    });
    out.push({
      group: 'directives',
      name: `${n} fields with @include`,
      gql: { query: `{ connections { ${'id @include(if: true) '.repeat(n)}} }` },
      expect: n <= 50 ? 'ok' : 'refused',
      codes: LIMIT,
    });
    out.push({
      group: 'directives',
      name: `${n}× an unknown directive`,
      gql: { query: `{ connections ${'@nope '.repeat(n)}{ id } }` },
      expect: 'refused',
      codes: [...INVALID],
    });
    out.push({
      group: 'directives',
      name: `${n}× @deprecated in a query`,
      gql: { query: `{ connections ${'@deprecated '.repeat(n)}{ id } }` },
      expect: 'refused',
      codes: [...INVALID],
    });
  }
  return out;
}

function longStrings(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const n of [1_000, 20_000, 200_000]) {
    out.push({
      group: 'long strings',
      name: `search of ${n} chars (literal)`,
      gql: { query: `{ customers(first: 1, search: "${'a'.repeat(n)}") { edges { node { id } } } }` },
      expect: 'typed',
    });
    out.push({
      group: 'long strings',
      name: `search of ${n} chars (variable)`,
      gql: { query: 'query($s: String) { customers(first: 1, search: $s) { edges { node { id } } } }', variables: { s: 'é'.repeat(n / 2) } },
      expect: 'typed',
    });
    out.push({ group: 'long strings', name: `field name of ${n} chars`, gql: { query: `{ ${'f'.repeat(n)} }` }, expect: 'refused', codes: INVALID });
    out.push({ group: 'long strings', name: `alias of ${n} chars`, gql: { query: `{ ${'a'.repeat(n)}: connections { id } }` }, expect: 'ok' });
    out.push({ group: 'long strings', name: `operation name of ${n} chars`, gql: { query: `query ${'Q'.repeat(n)} { connections { id } }` }, expect: 'ok' });
    out.push({
      group: 'long strings',
      name: `variable name of ${n} chars`,
      gql: { query: `query($${'v'.repeat(n)}: Int) { connections { id } }` },
      expect: 'typed',
    });
    out.push({
      group: 'long strings',
      name: `node id of ${n} chars`,
      gql: { query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: 'A'.repeat(n) } },
      expect: 'ok',
    });
    out.push({
      group: 'long strings',
      name: `block string of ${n} chars`,
      gql: { query: `{ customers(first: 1, search: """${'b'.repeat(n)}""") { edges { node { id } } } }` },
      expect: 'typed',
    });
    out.push({ group: 'long strings', name: `comment of ${n} chars`, gql: { query: `{ connections { id } } #${'c'.repeat(n)}` }, expect: 'ok' });
  }
  for (const [what, s] of [
    ['NUL bytes', '\u0000\u0000'],
    ['lone surrogate', '\ud800'],
    ['RTL override', '\u202e'],
    ['emoji', '😀'.repeat(1000)],
    ['escaped unicode', '\\u0041'],
  ] as const) {
    out.push({
      group: 'long strings',
      name: `search with ${what}`,
      gql: { query: 'query($s: String) { customers(first: 1, search: $s) { edges { node { id } } } }', variables: { s } },
      expect: 'typed',
    });
  }
  return out;
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');

/** Junk that claims to be an id or a cursor. */
function junk(seeds: Seeds): Array<[string, string]> {
  const conn = seeds.connectionIds[0] ?? 'c';
  const flip = (s: string) => s.slice(0, -2) + (s.endsWith('A') ? 'B' : 'A') + s.slice(-1);
  return [
    ['empty', ''],
    ['space', ' '],
    ['"0"', '0'],
    ['"-1"', '-1'],
    ['"../x"', '../x'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['b64 __proto__', b64('__proto__')],
    ['b64 {"__proto__":{}}', b64({ __proto__: { polluted: true } })],
    ['b64 ["__proto__"]', b64(['__proto__'])],
    ['b64 junk bytes', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7f]).toString('base64')],
    ['base64 with padding', Buffer.from('["bg1","Booking"]').toString('base64')],
    ['not base64', '!!!@@@###'],
    ['b64 null', b64(null)],
    ['b64 number', b64(42)],
    ['b64 deep array', b64(JSON.parse('['.repeat(500) + ']'.repeat(500)))],
    ['b64 1e308 cursor', b64(['b1', [1e308, conn, 'x']])],
    ['b64 -1e308 cursor', b64(['b1', [-1e308, conn, 'x']])],
    ['b64 NaN-ish cursor', b64(['b1', ['NaN', conn, 'x']])],
    ['b64 cursor naming __proto__', b64(['l1', ['__proto__', null, 0]])],
    ['b64 cursor of an unknown connection', b64(['l1', ['00000000-0000-0000-0000-000000000000', null, 0]])],
    ['b64 cursor with skip 1e308', b64(['l1', [conn, null, 1e308]])],
    ['b64 cursor with skip -5', b64(['l1', [conn, null, -5]])],
    ['b64 booking cursor with a 10 KB ref', b64(['b1', [0, conn, 'r'.repeat(10_000)]])],
    ['b64 id of an unknown type', b64(['bg1', 'Admin', 'ONSCHED', conn, 'x'])],
    ['b64 id of an unknown provider', b64(['bg1', 'Booking', 'EVIL', conn, 'x'])],
    ['b64 id of another tenant', b64(['bg1', 'Booking', 'ONSCHED', 'other-tenant-connection', 'x'])],
    ['b64 id with a "0" ref', b64(['bg1', 'Booking', 'DAYSCHEDULE', conn, '0'])],
    ['b64 id with extra parts', b64(['bg1', 'Booking', 'ONSCHED', conn, 'x', 'y'])],
    ['b64 id with an object ref', b64(['bg1', 'Booking', 'ONSCHED', conn, { $gt: '' }])],
    ['a real id with a byte flipped', flip(seeds.bookingId)],
    ['a real booking cursor with a byte flipped', flip(seeds.bookingCursor)],
    ['a real list cursor with a byte flipped', flip(seeds.listCursor)],
    ['a real booking cursor used as a list cursor', seeds.bookingCursor],
    ['a real list cursor used as a booking cursor', seeds.listCursor],
    ['a real id used as a cursor', seeds.organizationId],
    ['10 KB of A', 'A'.repeat(10_000)],
    ['unicode', 'ünï😀code'],
    ['SQL', "' OR 1=1 --"],
    ['JSON', '{"a":1}'],
  ];
}

function forged(seeds: Seeds): HostileCase[] {
  const out: HostileCase[] = [];
  for (const [name, value] of junk(seeds)) {
    out.push({
      group: 'forged ids',
      name: `node(id: ${name})`,
      gql: { query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: value } },
      expect: 'ok',
    });
    out.push({
      group: 'forged ids',
      name: `cancelBooking(id: ${name})`,
      gql: { query: 'mutation($id: ID!) { cancelBooking(id: $id) { id } }', variables: { id: value } },
      expect: 'refused',
      codes: ['BAD_USER_INPUT', 'NOT_FOUND'],
    });
    out.push({
      group: 'forged ids',
      name: `availability(serviceId: ${name})`,
      gql: {
        query: 'query($id: ID!) { availability(serviceId: $id, from: "2030-01-01T00:00:00Z", to: "2030-01-02T00:00:00Z") { startsAt } }',
        variables: { id: value },
      },
      expect: 'refused',
      codes: ['BAD_USER_INPUT', 'NOT_FOUND'],
    });
    out.push({
      group: 'forged ids',
      name: `createCustomer(organizationId: ${name})`,
      gql: {
        query: 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
        variables: { input: { organizationId: value, firstName: 'Hostile', lastName: 'Case' } },
      },
      expect: 'refused',
      codes: ['BAD_USER_INPUT', 'NOT_FOUND'],
    });
    const validFor = (list: string) =>
      (value === seeds.bookingCursor && (list === 'bookings' || list === 'Organization.bookings')) ||
      (value === seeds.listCursor && list !== 'bookings' && list !== 'Organization.bookings');
    for (const list of ['bookings', 'customers', 'services'].filter((l) => !validFor(l))) {
      // An empty cursor is "no cursor" for some clients; everything else must be refused as input.
      out.push({
        group: 'forged cursors',
        name: `${list}(after: ${name})`,
        gql: { query: `query($a: String) { ${list}(first: 5, after: $a) { edges { cursor } } }`, variables: { a: value } },
        expect: 'refused',
        codes: ['BAD_USER_INPUT'],
      });
    }
    if (!validFor('Organization.bookings'))
      out.push({
        group: 'forged cursors',
        name: `Organization.bookings(after: ${name})`,
        gql: {
          query: `query($a: String) { node(id: "${seeds.organizationId}") { ... on Organization { bookings(first: 5, after: $a) { edges { cursor } } } } }`,
          variables: { a: value },
        },
        expect: 'refused',
        codes: ['BAD_USER_INPUT'],
      });
  }
  return out;
}

const QUERY = '{ connections { id } }';

function bodies(): HostileCase[] {
  const out: HostileCase[] = [];
  const json = 'application/json';
  const raw = (name: string, r: HostileCase['raw'], expect: HostileCase['expect'] = 'refused', codes = ['BAD_REQUEST', 'GRAPHQL_PARSE_FAILED']) =>
    out.push({ group: 'bodies', name, raw: r, expect, codes });
  raw('empty body', { contentType: json, body: '' });
  raw('not JSON', { contentType: json, body: '{"query":' });
  raw('JSON null', { contentType: json, body: 'null' });
  raw('JSON number', { contentType: json, body: '1e308' });
  raw('JSON string', { contentType: json, body: '"{ connections { id } }"' });
  raw('query is a number', { contentType: json, body: '{"query":1}' });
  raw('query is an object', { contentType: json, body: '{"query":{"__proto__":{}}}' });
  raw('variables is a string', { contentType: json, body: JSON.stringify({ query: QUERY, variables: 'x' }) });
  raw('variables is an array', { contentType: json, body: JSON.stringify({ query: QUERY, variables: [1] }) });
  raw('extensions is a string', { contentType: json, body: JSON.stringify({ query: QUERY, extensions: 'x' }) });
  raw('operationName is a number', { contentType: json, body: JSON.stringify({ query: QUERY, operationName: 1 }) });
  raw('__proto__ in the body', { contentType: json, body: '{"__proto__":{"query":"{ connections { id } }"},"query":"{ connections { id } }"}' }, 'typed');
  raw(
    '__proto__ in variables',
    {
      contentType: json,
      body: '{"query":"query($f: BookingFilter) { bookings(first: 1, filter: $f) { edges { cursor } } }","variables":{"f":{"__proto__":{"providers":["ONSCHED"]}}}}',
    },
    'typed',
  );
  raw(
    'constructor.prototype in variables',
    { contentType: json, body: '{"query":"{ connections { id } }","variables":{"constructor":{"prototype":{"x":1}}}}' },
    'typed',
  );
  raw('duplicate keys', { contentType: json, body: '{"query":"{ nope }","query":"{ connections { id } }"}' }, 'typed');
  raw('no operation in the document', { contentType: json, body: JSON.stringify({ query: 'fragment F on Query { connections { id } }' }) }, 'refused', INVALID);
  raw(
    'two operations, none named',
    { contentType: json, body: JSON.stringify({ query: '{ a: connections { id } } query B { connections { id } }' }) },
    'refused',
    ['OPERATION_RESOLUTION_FAILURE', ...INVALID],
  );
  raw('an unknown operation name', { contentType: json, body: JSON.stringify({ query: QUERY, operationName: 'Nope' }) }, 'refused', [
    'OPERATION_RESOLUTION_FAILURE',
  ]);
  raw(
    'a persisted-query hash only',
    { contentType: json, body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }) },
    'refused',
    ['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST'],
  );
  for (const n of [1, 2, 10, 100, 1_000])
    raw(`batched array of ${n}`, { contentType: json, body: JSON.stringify(Array.from({ length: n }, () => ({ query: QUERY }))) });
  raw('empty batch', { contentType: json, body: '[]' });
  for (const depth of [100, 1_000, 10_000, 100_000]) {
    raw(
      `JSON bomb: variables nested ${depth} deep`,
      { contentType: json, body: `{"query":"{ connections { id } }","variables":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}` },
      'typed',
    );
    raw(`JSON bomb: query nested ${depth} deep`, { contentType: json, body: `{"query":${'['.repeat(depth)}${']'.repeat(depth)}}` });
  }
  raw(
    'JSON bomb: 100 000 variables',
    {
      contentType: json,
      body: JSON.stringify({ query: QUERY, variables: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])) }),
    },
    'typed',
  );
  raw(
    'JSON bomb: a 900 KB string of escapes',
    { contentType: json, body: JSON.stringify({ query: QUERY, variables: { s: '\\u0000'.repeat(150_000) } }) },
    'typed',
  );
  for (const size of [1_000_001, 2_000_000]) {
    raw(`oversized body of ${size} bytes`, { contentType: json, body: JSON.stringify({ query: `{ connections { id } } #${'x'.repeat(size)}` }) }, 'refused', [
      'BAD_REQUEST',
    ]);
  }
  for (const contentType of [
    null,
    'text/plain',
    'text/plain;charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/graphql',
    'application/json; charset=utf-16',
    'APPLICATION/JSON',
    'application/json, text/html',
  ]) {
    raw(`content-type ${contentType}`, { contentType, body: JSON.stringify({ query: QUERY }) }, 'typed');
  }
  raw(
    'invalid UTF-8 in the body',
    { contentType: json, body: Buffer.concat([Buffer.from('{"query":"{ connections { id } } #'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]) },
    'typed',
  );
  raw('a BOM before the JSON', { contentType: json, body: `\ufeff${JSON.stringify({ query: QUERY })}` }, 'typed');
  raw('GET with a query', { method: 'GET', contentType: null, search: `?query=${encodeURIComponent(QUERY)}` }, 'typed');
  raw(
    'GET with a mutation',
    { method: 'GET', contentType: null, search: `?query=${encodeURIComponent('mutation { deleteConnection(id: "x") }')}` },
    'refused',
    ['BAD_REQUEST'],
  );
  raw('GET with variables that are not JSON', { method: 'GET', contentType: null, search: `?query=${encodeURIComponent(QUERY)}&variables=%7B` }, 'refused', [
    'BAD_REQUEST',
  ]);
  // Node's HTTP parser answers 431 (a URL over its 16 KB header bound) before the gateway sees it.
  out.push({
    group: 'bodies',
    name: 'GET with a 100 KB query',
    raw: { method: 'GET', contentType: null, search: `?query=${encodeURIComponent(`{ connections { id } } #${'x'.repeat(100_000)}`)}` },
    expect: 'refused',
    httpStatus: 431,
  });
  raw('PUT', { method: 'PUT', contentType: json, body: JSON.stringify({ query: QUERY }) }, 'refused', ['BAD_REQUEST']);
  raw('DELETE', { method: 'DELETE', contentType: null }, 'refused', ['BAD_REQUEST']);
  raw('a subscription over HTTP', { contentType: json, body: JSON.stringify({ query: 'subscription { connectionStatusChanged { id } }' }) }, 'refused', [
    'BAD_REQUEST',
  ]);
  raw('a document of 20 000 tokens', { contentType: json, body: JSON.stringify({ query: `{ connections { ${'id '.repeat(20_000)}} }` }) }, 'refused', LIMIT);
  raw('a document of 300 000 punctuators', { contentType: json, body: JSON.stringify({ query: `{ ${'{'.repeat(300_000)} }` }) }, 'refused', [
    ...LIMIT,
    ...INVALID,
  ]);
  return out;
}

const NODE_TYPES = ['Organization', 'Service', 'Customer', 'Booking'];
const REFS = ['0', '-1', '../x', '%2e%2e', 'a/b?c#d', 'x'.repeat(5_000), '__proto__', '0'.repeat(24), '99999999999999999999999', ' '];

/** Global ids of the caller's own connections with native refs the platform never made: `node` answers null. */
function forgedPerPlatform(seeds: Seeds): HostileCase[] {
  return seeds.connections.flatMap(({ provider, connectionId }) =>
    NODE_TYPES.flatMap((type) =>
      REFS.map((ref) => ({
        group: 'forged ids',
        name: `node(${provider} ${type} ref ${JSON.stringify(ref.slice(0, 24))})`,
        gql: { query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: b64(['bg1', type, provider, connectionId, ref]) } },
        expect: 'ok' as const,
      })),
    ),
  );
}

/** Valid requests a client really sends: they must still pass, with data. */
function valid(seeds: Seeds): HostileCase[] {
  const ok = (name: string, query: string, variables?: Record<string, unknown>): HostileCase => ({
    group: 'valid',
    name,
    gql: { query, variables },
    expect: 'ok',
  });
  return [
    ok('connections', '{ connections { id provider status statusReason label accessTokenExpiresAt organizations { id name timezone } } }'),
    ok(
      'README example',
      '{ bookings(first: 10, filter: { startsAfter: "2026-01-01T00:00:00Z" }) { edges { node { provider status startsAt endsAt timezone service { name durationMinutes price { amount currency } } customer { firstName lastName email } organization { name } } } pageInfo { hasNextPage endCursor } } }',
    ),
    ok(
      'examples/upcoming-bookings first 50',
      'query UpcomingBookings($first: Int, $after: String) { bookings(first: $first, after: $after) { edges { cursor node { id provider status startsAt endsAt timezone service { name durationMinutes } customer { firstName lastName email } organization { name } } } pageInfo { hasNextPage endCursor } } }',
      { first: 50 },
    ),
    ok('bookings first 100 with relations', '{ bookings(first: 100) { edges { node { id service { name } customer { firstName } organization { name } } } } }'),
    ok('bookings page 2', 'query($a: String) { bookings(first: 5, after: $a) { edges { cursor } } }', { a: seeds.bookingCursor }),
    ok('customers page 2', 'query($a: String) { customers(first: 5, after: $a) { edges { cursor } } }', { a: seeds.listCursor }),
    ok('customers first 100', '{ customers(first: 100) { edges { node { id firstName organization { name } } } pageInfo { hasNextPage } } }'),
    ok('services first 100', '{ services(first: 100) { edges { node { id name price { amount currency } organization { id } } } } }'),
    ok(
      'organizations with a page of each list',
      '{ organizations { id name services(first: 5) { edges { node { id } } } customers(first: 5) { edges { node { id } } } bookings(first: 5) { edges { node { id } } } } }',
    ),
    ok('node of an organization', `{ node(id: "${seeds.organizationId}") { id ... on Organization { name connection { provider } } } }`),
    ok('node of a booking', `{ node(id: "${seeds.bookingId}") { id ... on Booking { status service { name } } } }`),
    ok(
      'customers of one organization with their bookings',
      `{ node(id: "${seeds.organizationId}") { ... on Organization { customers(first: 10) { edges { node { id bookings(first: 10) { edges { node { id } } } } } } } } }`,
    ),
    ok('webhook subscriptions', '{ webhookSubscriptions { id mode events } }'),
    ok('__typename', '{ __typename }'),
    ok(
      'GraphiQL introspection',
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    ),
    ok(
      'a few aliases',
      '{ a: bookings(first: 5) { edges { cursor } } b: bookings(first: 5, filter: { providers: [ONSCHED] }) { edges { cursor } } c: connections { id } }',
    ),
    ok('@include and @skip', 'query($i: Boolean!) { connections { id label @include(if: $i) status @skip(if: $i) } }', { i: true }),
    ok('providers filter', '{ organizations(providers: [APPOINTEDD, ONSCHED]) { id name } }'),
    ok(
      'GraphiQL-like history query',
      'query Recent { bookings(first: 20, filter: { status: [CONFIRMED, PENDING] }) { edges { node { id startsAt status customer { firstName lastName } } } pageInfo { endCursor hasNextPage } } }',
    ),
  ];
}

/** Every case, ≥ 1 000 of them. */
export function hostileCases(seeds: Seeds): HostileCase[] {
  return [
    ...valid(seeds),
    ...nesting(),
    ...aliasBombs(),
    ...fragmentTricks(),
    ...hugeFirst(),
    ...directiveFloods(),
    ...longStrings(),
    ...forged(seeds),
    ...forgedPerPlatform(seeds),
    ...bodies(),
  ];
}
