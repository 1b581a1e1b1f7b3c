import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Every log line the gateway writes, at debug level, kept in memory. */
const lines: string[] = [];
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  }),
);

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ log });
});
afterAll(() => gw.close());

describe('secrets in logs and errors', () => {
  it('never writes a client secret, API key or token into logs or responses, whatever fails', async () => {
    const appointedd = gw.emulators.appointedd as string;
    const creds = await sandbox(appointedd, 'credentials');
    const t = await gw.tenant('log-check');
    const responses: string[] = [];
    responses.push(
      JSON.stringify((await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: `${creds.client_secret}-wrong` })).body),
    );
    responses.push(JSON.stringify((await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: creds.client_secret })).body));
    await sandbox(appointedd, 'faults', { match: '/v2/bookings', mode: 'malformed', count: 1 });
    responses.push(JSON.stringify((await gql(gw.url, t.apiKey, '{ bookings(first: 2) { edges { node { id } } } }')).body));
    await sandbox(appointedd, 'faults', { match: '/v2/oauth/tokens', status: 500 });
    await sandbox(appointedd, 'clock', { advanceSeconds: 7_200 });
    responses.push(JSON.stringify((await gql(gw.url, t.apiKey, '{ bookings(first: 2) { edges { node { id } } } }')).body));
    await sandbox(appointedd, 'faults', undefined, 'DELETE');
    responses.push(JSON.stringify((await gql(gw.url, t.apiKey, '{ bookings(first: 2) { edges { node { id } } } }')).body));

    const conn = (await gw.gateway.services.connections.listForTenant(t.id)).find((c) => c.status === 'ACTIVE');
    const token = await gw.gateway.services.tokens.forConnection(conn!.id).peek('default');
    const secrets = [creds.client_secret, t.apiKey, gw.demoKey, token!.accessToken, gw.encryptionKey];
    const everything = lines.join('') + responses.join('');
    // The failures were logged (with codes and providers), just never with a secret.
    expect(lines.filter((l) => l.includes('PROVIDER_UNAVAILABLE') || l.includes('PROVIDER_ERROR')).length).toBeGreaterThanOrEqual(2);
    for (const s of secrets) expect(everything).not.toContain(s);
    expect(responses[2]).toContain('PROVIDER_ERROR');
    expect(responses[3]).toContain('PROVIDER_UNAVAILABLE');
  });
});
