import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { connectionOf, deliveriesOf, type Json, sleep, subscribe, waitFor } from './event-helpers.js';

/**
 * Deliveries to a subscription's targetUrl through a real gateway: retried with the same webhook-id
 * until 2xx, FAILED after the retry window and delivered by a replay, and kept across a restart
 * (the queue lives in the store). Events come from DaySchedule's native triggers.
 */

const started: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const s of started.reverse()) await s.close();
});

async function gateway(env: Record<string, string>, opts: { storeUrl?: string; encryptionKey?: string } = {}): Promise<TestGateway> {
  const tg = await startTestGateway({ ...opts, env: { POLL_INTERVAL_SECONDS: '1', WEBHOOK_RETRY_BASE_MS: '50', ...env } });
  let closing: Promise<void> | null = null;
  const once = { ...tg, close: () => (closing ??= tg.close()) };
  started.push(once);
  return once;
}

async function target(): Promise<Recorder> {
  const t = await startRecorder();
  started.push(t);
  return t;
}

/** Subscribes DaySchedule's connection to BOOKING_CREATED at `url` and books once on the platform. */
async function bookOnce(tg: TestGateway, url: string): Promise<{ sub: Json; bookingId: string }> {
  const connection = await connectionOf(tg.url, tg.demoKey, 'DAYSCHEDULE');
  const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'], targetUrl: url });
  const made = await sandbox(tg.emulators.dayschedule as string, 'events', { type: 'event_scheduled' });
  return { sub, bookingId: made.bookingId };
}

describe('webhook deliveries', () => {
  it('a target that answers 500 three times and then 200 gets the event on the fourth attempt, with the same webhook-id and a valid signature each time', async () => {
    const tg = await gateway({});
    const t = await target();
    t.answer = (n) => (n <= 3 ? 500 : 200);
    const { sub, bookingId } = await bookOnce(tg, t.url);
    expect(await waitFor(() => t.received.length >= 4)).toBe(true);
    await sleep(500);
    expect(t.received).toHaveLength(4);
    expect(new Set(t.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const wh = new Webhook(sub.signingSecret);
    for (const r of t.received) expect((wh.verify(r.rawBody, r.headers as Record<string, string>) as Json).data.booking.nativeId).toBe(bookingId);
    const [d] = await deliveriesOf(tg.url, tg.demoKey, sub.id);
    expect(d).toMatchObject({
      id: t.received[0].headers['webhook-id'],
      status: 'DELIVERED',
      attempts: 4,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(d.event).toMatchObject({ type: 'BOOKING_CREATED', booking: { nativeId: bookingId } });
  });

  it('a target down past the retry window ends FAILED, listed with its reason, and a replay delivers it once', async () => {
    const tg = await gateway({ WEBHOOK_RETRY_WINDOW_SECONDS: '1' });
    const t = await target();
    await t.close();
    const { sub } = await bookOnce(tg, t.url);
    const failed = async () => (await deliveriesOf(tg.url, tg.demoKey, sub.id)).filter((d) => d.status === 'FAILED');
    let list: Json[] = [];
    for (let i = 0; i < 80 && list.length === 0; i++) {
      await sleep(100);
      list = await failed();
    }
    expect(list).toHaveLength(1);
    expect(list[0].attempts).toBeGreaterThanOrEqual(2);
    expect(list[0].lastStatusCode).toBeNull();
    expect(list[0].lastError).toMatch(/refused/i);
    const onlyFailed = await gql(tg.url, tg.demoKey, `query { webhookSubscriptions { deliveries(status: FAILED) { edges { node { id } } } } }`);
    expect(onlyFailed.body.data.webhookSubscriptions[0].deliveries.edges.map((e: Json) => e.node.id)).toEqual([list[0].id]);

    await t.listen();
    const replay = await gql(tg.url, tg.demoKey, 'mutation($s: ID!) { replayWebhookDeliveries(subscriptionId: $s) }', { s: sub.id });
    expect(replay.body.data.replayWebhookDeliveries).toBe(1);
    expect(await waitFor(() => t.received.length >= 1)).toBe(true);
    await sleep(500);
    expect(t.received).toHaveLength(1);
    expect(t.received[0].headers['webhook-id']).toBe(list[0].id);
    expect((await deliveriesOf(tg.url, tg.demoKey, sub.id))[0]).toMatchObject({ id: list[0].id, status: 'DELIVERED' });
  });

  it('a gateway restart while deliveries wait loses none and repeats none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookgraph-deliveries-'));
    started.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    const storeUrl = `file://${join(dir, 'store.json')}`;
    const encryptionKey = randomBytes(32).toString('base64');
    const demo = `bg_${randomBytes(24).toString('base64url')}`;
    const first = await gateway({ DEMO_API_KEY: demo }, { storeUrl, encryptionKey });
    const t = await target();
    await t.close();
    const { sub } = await bookOnce(first, t.url);
    await sandbox(first.emulators.dayschedule as string, 'events', { type: 'event_scheduled' });
    await sleep(600);
    const pending = await deliveriesOf(first.url, first.demoKey, sub.id);
    expect(pending.map((d) => d.status)).toEqual(['PENDING', 'PENDING']);
    await first.close();

    await t.listen();
    const second = await gateway({ DEMO_API_KEY: demo }, { storeUrl, encryptionKey });
    expect(await waitFor(() => t.received.length >= 2)).toBe(true);
    await sleep(1_000);
    expect(t.received.map((r) => r.headers['webhook-id'])).toEqual(pending.map((d) => d.id).reverse());
    const after = await deliveriesOf(second.url, second.demoKey, sub.id);
    expect(after.map((d) => d.status)).toEqual(['DELIVERED', 'DELIVERED']);
  });

  it('rotateWebhookSecret: deliveries verify with the new secret and, for a day, with the old one', async () => {
    const tg = await gateway({});
    const t = await target();
    const connection = await connectionOf(tg.url, tg.demoKey, 'DAYSCHEDULE');
    const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED'], targetUrl: t.url });
    const rotated = await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { id signingSecret } }', { id: sub.id });
    const fresh = rotated.body.data.rotateWebhookSecret.signingSecret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(sub.signingSecret);
    await sandbox(tg.emulators.dayschedule as string, 'events', { type: 'event_scheduled' });
    expect(await waitFor(() => t.received.length >= 1)).toBe(true);
    const [r] = t.received;
    expect((r.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [fresh, sub.signingSecret]) expect(() => new Webhook(secret).verify(r.rawBody, r.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(r.rawBody, r.headers as Record<string, string>)).toThrow();
  });
});
