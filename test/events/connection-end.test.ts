import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectionOf, subscribe } from './event-helpers.js';

/** What a connection's end does to its webhooks: disconnect unregisters at the platform, delete removes the subscriptions. */

let tg: TestGateway;
beforeAll(async () => {
  tg = await startTestGateway({ env: { POLL_INTERVAL_SECONDS: '3600' } });
}, 60_000);
afterAll(() => tg?.close());

it('disconnectProvider removes the webhooks the gateway registered at the platform; deleteConnection removes the subscriptions', async () => {
  const origin = tg.emulators.onsched as string;
  const connection = await connectionOf(tg.url, tg.demoKey, 'ONSCHED');
  const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'] });
  expect((await sandbox(origin, 'events', { type: 'NEW_APPOINTMENT' })).webhooksAttempted).toBe(1);

  const d = await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { status } }', { id: connection.id });
  expect(d.body.data.disconnectProvider.status).toBe('DISCONNECTED');
  expect((await sandbox(origin, 'events', { type: 'NEW_APPOINTMENT' })).webhooksAttempted).toBe(0);
  const listed = await gql(tg.url, tg.demoKey, '{ webhookSubscriptions { id connection { status } } }');
  expect(listed.body.data.webhookSubscriptions).toEqual([{ id: sub.id, connection: { status: 'DISCONNECTED' } }]);

  const del = await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { deleteConnection(id: $id) }', { id: connection.id });
  expect(del.body.data.deleteConnection).toBe(true);
  expect((await gql(tg.url, tg.demoKey, '{ webhookSubscriptions { id } }')).body.data.webhookSubscriptions).toEqual([]);
  const receiver = await fetch(sub.receiverUrl, { method: 'POST', headers: { 'x-gateway-token': 'anything' }, body: '{}' });
  expect(receiver.status).toBe(401);
});
