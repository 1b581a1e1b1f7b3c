import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookgraphClient } from '../../examples/client.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

describe('the typed example client (GraphQL Code Generator documents)', () => {
  it('lists connections and walks every booking of the demo tenant page by page without repeats', async () => {
    const client = new BookgraphClient(gw.url, gw.demoKey);
    const { data, errors } = await client.connections();
    expect(errors).toEqual([]);
    expect(data.connections.map((c) => c.provider)).toContain('APPOINTEDD');
    const ids: string[] = [];
    for await (const b of client.allBookings(40)) ids.push(b.id);
    expect(ids.length).toBeGreaterThan(60);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('surfaces a rejected key as an error, not as data', async () => {
    await expect(new BookgraphClient(gw.url, 'bg_nope').connections()).rejects.toThrow(/HTTP 401/);
  });
});
