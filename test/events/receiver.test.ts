import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { connectionOf, listen, sleep, subscribe, waitFor } from './event-helpers.js';

/**
 * The receiver of platform pushes (`POST /webhooks/<platform>/<id>`) refuses what it cannot verify
 * (401, nothing published) and drops repeats (a platform's retry of one event id is published once).
 * Polling is slowed to an hour here, so only pushes can publish.
 */

let tg: TestGateway;
let recorder: Recorder;
let listener: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  tg = await startTestGateway({ env: { POLL_INTERVAL_SECONDS: '3600' } });
  recorder = await startRecorder({ path: '/captured' });
  listener = await listen(tg.url, tg.demoKey);
}, 60_000);
afterAll(async () => {
  await listener?.close();
  await recorder?.close();
  await tg?.close();
});

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('webhook receiver', () => {
  it('yAppointment: a genuine push publishes once; its replay is dropped; a tampered body, a wrong secret or no signature get 401 and publish nothing', async () => {
    const origin = tg.emulators.yappointment as string;
    const connection = await connectionOf(tg.url, tg.demoKey, 'YAPPOINTMENT');
    const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED', 'BOOKING_CANCELED'] });
    // The operator's webhook points at a recorder first, to capture one genuine signed push.
    const creds = await sandbox(origin, 'credentials');
    const hook = await sandbox(origin, 'webhooks', { companyId: creds.companies[0].id, url: recorder.url, events: ['booking.created'] });
    const set = await gql(tg.url, tg.demoKey, 'mutation($c: ID!, $s: String!) { setWebhookReceiverSecret(connectionId: $c, secret: $s) }', {
      c: connection.id,
      s: hook.secret,
    });
    expect(set.body.data.setWebhookReceiverSecret).toBe(sub.receiverUrl);
    await sandbox(origin, 'events', { type: 'booking.created' });
    expect(await waitFor(() => recorder.received.length === 1)).toBe(true);
    const genuine = recorder.received[0];
    const body = genuine.rawBody.toString('utf8');
    const signature = genuine.headers['x-webhook-signature'] as string;
    const stats = tg.gateway.services.webhooks.stats;
    const intake = tg.gateway.services.intake.stats;
    const refusedBefore = stats.refused;
    const publishedBefore = intake.published;

    expect((await post(sub.receiverUrl, body, { 'x-webhook-signature': signature })).status).toBe(202);
    expect(await waitFor(() => listener.seen.length === 1)).toBe(true);
    expect(listener.seen[0]).toMatchObject({ type: 'BOOKING_CREATED', provider: 'YAPPOINTMENT' });

    // The platform retries the same event (same id): acknowledged, not published again.
    expect((await post(sub.receiverUrl, body, { 'x-webhook-signature': signature })).status).toBe(202);
    const tampered = body.replace('booking.created', 'booking.cancelled');
    const forgedSig = createHmac('sha256', 'not-the-secret').update(tampered).digest('hex');
    expect((await post(sub.receiverUrl, tampered, { 'x-webhook-signature': signature })).status).toBe(401);
    expect((await post(sub.receiverUrl, tampered, { 'x-webhook-signature': forgedSig })).status).toBe(401);
    expect((await post(sub.receiverUrl, body)).status).toBe(401);
    expect((await post(`${tg.url}/webhooks/yappointment/${'A'.repeat(32)}`, body, { 'x-webhook-signature': signature })).status).toBe(401);
    // The right receiver id under another platform's path is not that receiver.
    expect((await post(sub.receiverUrl.replace('/yappointment/', '/appointedd/'), body, { 'x-webhook-signature': signature })).status).toBe(401);
    expect((await fetch(sub.receiverUrl)).status).toBe(405);
    await sleep(300);

    expect(listener.seen).toHaveLength(1);
    expect(intake.published - publishedBefore).toBe(1);
    expect(intake.duplicates).toBeGreaterThanOrEqual(1);
    expect(stats.refused - refusedBefore).toBe(5);
    await sandbox(origin, `webhooks/${hook.id}`, undefined, 'DELETE');
    await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id: sub.id });
  });

  it('DaySchedule and OnSched: a push without the secret the gateway registered is refused with 401 and publishes nothing', async () => {
    const seenBefore = listener.seen.length;
    for (const [provider, headers, query] of [
      ['DAYSCHEDULE', {}, '?k=guess'],
      ['ONSCHED', { 'x-gateway-token': 'guess' }, ''],
    ] as const) {
      const connection = await connectionOf(tg.url, tg.demoKey, provider);
      const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'] });
      const res = await post(`${sub.receiverUrl}${query}`, JSON.stringify({ type: 'event_scheduled', trigger: 'NEW_APPOINTMENT' }), headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'not verified' });
      await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id: sub.id });
    }
    await sleep(200);
    expect(listener.seen.length).toBe(seenBefore);
  });

  it('refuses a receiver secret for a platform the gateway registers itself, and bad subscription input, with BAD_USER_INPUT', async () => {
    const ds = await connectionOf(tg.url, tg.demoKey, 'DAYSCHEDULE');
    const r = await gql(tg.url, tg.demoKey, 'mutation($c: ID!) { setWebhookReceiverSecret(connectionId: $c, secret: "whsec_something") }', { c: ds.id });
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    for (const input of [
      { connectionId: ds.id, events: [] },
      { connectionId: 'bm90LWFuLWlk', events: ['BOOKING_CREATED'] },
      { connectionId: ds.id, events: ['BOOKING_CREATED'], targetUrl: 'ftp://example.com/x' },
      { connectionId: ds.id, events: ['BOOKING_CREATED'], targetUrl: 'not a url' },
    ]) {
      const s = await gql(tg.url, tg.demoKey, 'mutation($input: SubscribeWebhookInput!) { subscribeWebhook(input: $input) { id } }', { input });
      expect(s.body.errors?.[0].extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    // Another tenant cannot see, rotate or remove the demo tenant's subscriptions.
    const sub = await subscribe(tg.url, tg.demoKey, { connectionId: ds.id, events: ['BOOKING_CREATED'] });
    const other = await tg.tenant('receiver-other');
    expect((await gql(tg.url, other.apiKey, '{ webhookSubscriptions { id } }')).body.data.webhookSubscriptions).toEqual([]);
    expect((await gql(tg.url, other.apiKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id: sub.id })).body.data.unsubscribeWebhook).toBe(false);
    expect(
      (await gql(tg.url, other.apiKey, 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { id } }', { id: sub.id })).body.errors?.[0].extensions?.code,
    ).toBe('BAD_USER_INPUT');
    expect((await gql(tg.url, other.apiKey, 'query($id: ID!) { node(id: $id) { id } }', { id: sub.id })).body.data.node).toBeNull();
    const mine = await gql(tg.url, tg.demoKey, 'query($id: ID!) { node(id: $id) { id ... on WebhookSubscription { signingSecret mode } } }', { id: sub.id });
    expect(mine.body.data.node).toEqual({ id: sub.id, signingSecret: null, mode: 'NATIVE' });
    await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id: sub.id });
  });
});
