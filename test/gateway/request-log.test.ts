import { Writable } from 'node:stream';
import { type DestinationStream, pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, logFormatOf } from '../../src/server/logger.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Every log line the gateway writes at info level, kept in memory. */
const lines: string[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  }),
);
const requestLines = () => lines.filter((l) => l.includes('"msg":"graphql request"')).map((l) => JSON.parse(l) as Record<string, any>);

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ log });
});
afterAll(() => gw.close());

describe('the request log', () => {
  it('writes one info line per operation: name, duration, platforms, error codes, tenant; never variables, the query or a key', async () => {
    const tenant = await gw.gateway.services.tenants.authenticate(gw.demoKey);
    const from = requestLines().length;
    const startsAfter = '2002-03-04T05:06:07.891Z';
    const ok = await gql(gw.url, gw.demoKey, 'query LoggedBookings($f: BookingFilter) { bookings(first: 2, filter: $f) { edges { node { id } } } }', {
      f: { providers: ['BOOKINGTIME', 'YAPPOINTMENT'], startsAfter },
    });
    expect(ok.body.errors).toBeUndefined();
    expect((await gql(gw.url, gw.demoKey, '{ organizations(providers: [DAYSCHEDULE]) { id } }')).body.errors).toBeUndefined();
    await sandbox(gw.emulators.appointedd as string, 'faults', { match: '/v2/bookings', status: 503 });
    try {
      await gql(gw.url, gw.demoKey, 'query Partial { bookings(first: 2, filter: { providers: [APPOINTEDD, ONSCHED] }) { edges { node { id } } } }');
    } finally {
      await sandbox(gw.emulators.appointedd as string, 'faults', undefined, 'DELETE');
    }
    expect((await gql(gw.url, gw.demoKey, 'query Broken { nope }')).status).toBe(400);

    const logged = requestLines().slice(from);
    expect(logged).toHaveLength(4);
    const [first, second, third, fourth] = logged;
    expect(first).toMatchObject({
      level: 30,
      operation: 'LoggedBookings',
      operationType: 'query',
      platforms: ['BOOKINGTIME', 'YAPPOINTMENT'],
      errorCodes: [],
      tenantId: tenant!.id,
      outcome: 'success',
    });
    expect(typeof first.durationMs).toBe('number');
    expect(first.durationMs).toBeGreaterThan(0);
    expect(second).toMatchObject({ operation: 'anonymous', platforms: ['DAYSCHEDULE'], errorCodes: [], outcome: 'success' });
    expect(third).toMatchObject({ operation: 'Partial', platforms: ['APPOINTEDD', 'ONSCHED'], errorCodes: ['PROVIDER_UNAVAILABLE'], outcome: 'partial' });
    expect(fourth).toMatchObject({ operation: null, platforms: [], errorCodes: ['GRAPHQL_VALIDATION_FAILED'], outcome: 'error' });

    const text = requestLines()
      .map((l) => JSON.stringify(l))
      .join('\n');
    for (const secret of [gw.demoKey, startsAfter, 'edges', 'BookingFilter']) expect(text).not.toContain(secret);
  });
});

describe('readable logs', () => {
  it('picks pretty lines for a terminal outside production, JSON otherwise, unless LOG_FORMAT forces one', () => {
    expect(logFormatOf('auto', { NODE_ENV: 'development' }, true)).toBe('pretty');
    expect(logFormatOf('auto', { NODE_ENV: 'development' }, false)).toBe('json');
    expect(logFormatOf('auto', { NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormatOf('json', { NODE_ENV: 'development' }, true)).toBe('json');
    expect(logFormatOf('pretty', { NODE_ENV: 'production' }, false)).toBe('pretty');
  });

  it('writes a pretty line as a person reads it, secrets still redacted', () => {
    const out: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        out.push(String(chunk));
        done();
      },
    });
    const pretty = createLogger('info', 'pretty', sink as unknown as DestinationStream);
    pretty.info({ operation: 'Probe', durationMs: 12.5, credentials: { apiKey: 'bg_secret' } }, 'graphql request');
    const line = out.join('');
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: graphql request \{.*"operation":"Probe"/);
    expect(line).not.toContain('bg_secret');
    expect(line).not.toContain('"service"');
  });
});
