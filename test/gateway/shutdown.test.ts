import { describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway } from '../helpers/gateway.js';

describe('graceful shutdown', () => {
  it('finishes a request in flight, then stops accepting new ones', async () => {
    const gw = await startTestGateway();
    const appointedd = gw.emulators.appointedd as string;
    await sandbox(appointedd, 'latency', { ms: 1_500 });
    const started = Date.now();
    const inFlight = gql(gw.url, gw.demoKey, '{ bookings(first: 2, filter: { providers: [APPOINTEDD] }) { edges { node { provider } } } }');
    await new Promise((r) => setTimeout(r, 300));
    const closing = gw.close();
    const answer = await inFlight;
    await closing;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.bookings.edges).toEqual([{ node: { provider: 'APPOINTEDD' } }, { node: { provider: 'APPOINTEDD' } }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
  });
});
