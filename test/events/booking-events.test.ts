import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type Recorder, startRecorder } from '../helpers/recorder.js';
import { connectionOf, type Json, listen, sleep, subscribe, waitFor } from './event-helpers.js';

/**
 * Booking events end to end, per platform, through a real gateway in sandbox mode: `subscribeWebhook`
 * through GraphQL, a booking created and then cancelled on the platform's side (`POST /__sandbox/events`),
 * both events once on a graphql-ws subscriber and once, signed, at a local target; `unsubscribeWebhook`
 * removes what was registered at the platform. Pushes arrive at the gateway's receiver where the
 * platform can push (registered by the gateway, or by an operator in the platform's web app, played
 * here by the emulator's admin stand-in); polling (every second here) finds the rest and reconciles.
 */

interface PlatformCase {
  provider: string;
  slug: string;
  mode: 'NATIVE' | 'POLLING';
  created: string;
  canceled: string;
  /** Registers the receiver in the platform's web app (operator step) and hands the gateway its secret. */
  operator?: (origin: string, receiverUrl: string) => Promise<string>;
}

const CASES: PlatformCase[] = [
  { provider: 'DAYSCHEDULE', slug: 'dayschedule', mode: 'NATIVE', created: 'event_scheduled', canceled: 'event_canceled' },
  { provider: 'ONSCHED', slug: 'onsched', mode: 'NATIVE', created: 'NEW_APPOINTMENT', canceled: 'APPOINTMENT_CANCELLED' },
  { provider: 'BOOKINGTIME', slug: 'bookingtime', mode: 'POLLING', created: 'appointment.created', canceled: 'appointment.canceled' },
  {
    provider: 'YAPPOINTMENT',
    slug: 'yappointment',
    mode: 'POLLING',
    created: 'booking.created',
    canceled: 'booking.cancelled',
    async operator(origin, receiverUrl) {
      const creds = await sandbox(origin, 'credentials');
      const companyId = creds.companies[0].id;
      const made = await sandbox(origin, 'webhooks', { companyId, url: receiverUrl, events: ['booking.created', 'booking.cancelled'] });
      return made.secret as string;
    },
  },
  {
    provider: 'APPOINTEDD',
    slug: 'appointedd',
    mode: 'POLLING',
    created: 'booking_created',
    canceled: 'booking_cancelled',
    async operator(origin, receiverUrl) {
      const creds = await sandbox(origin, 'credentials');
      const accountId = creds.accounts[0].id;
      const secret = 'appointedd-operator-secret-1';
      for (const trigger of ['booking_created', 'booking_cancelled']) {
        await sandbox(origin, 'webhooks', {
          account_id: accountId,
          name: `Gateway ${trigger}`,
          trigger,
          url: receiverUrl,
          auth: { type: 'header', name: 'X-Gateway-Token', value: secret },
        });
      }
      return secret;
    },
  },
];

let tg: TestGateway;
let target: Recorder;
let listener: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  tg = await startTestGateway({ env: { POLL_INTERVAL_SECONDS: '1', WEBHOOK_RETRY_BASE_MS: '50' } });
  target = await startRecorder();
  listener = await listen(tg.url, tg.demoKey);
}, 60_000);
afterAll(async () => {
  await listener?.close();
  await target?.close();
  await tg?.close();
});

describe.each(CASES)('$provider booking events', (c) => {
  it(`subscribe (${c.mode}), create and cancel on the platform: each event once on the subscriber and once, signed, at the target; unsubscribe stops them`, async () => {
    const origin = tg.emulators[c.slug as keyof typeof tg.emulators] as string;
    const connection = await connectionOf(tg.url, tg.demoKey, c.provider);
    const sub = await subscribe(tg.url, tg.demoKey, { connectionId: connection.id, events: ['BOOKING_CREATED', 'BOOKING_CANCELED'], targetUrl: target.url });
    expect(sub.mode).toBe(c.mode);
    expect(sub.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(sub.connection).toEqual({ id: connection.id, provider: c.provider });
    if (c.provider === 'BOOKINGTIME') expect(sub.receiverUrl).toBeNull();
    else expect(sub.receiverUrl).toMatch(new RegExp(`^${tg.url}/webhooks/${c.slug}/[A-Za-z0-9_-]{32}$`));

    if (c.operator) {
      const secret = await c.operator(origin, sub.receiverUrl);
      const set = await gql(tg.url, tg.demoKey, 'mutation($c: ID!, $s: String!) { setWebhookReceiverSecret(connectionId: $c, secret: $s) }', {
        c: connection.id,
        s: secret,
      });
      expect(set.body.errors).toBeUndefined();
      expect(set.body.data.setWebhookReceiverSecret).toBe(sub.receiverUrl);
    }

    const mine = () => listener.seen.filter((e) => e.provider === c.provider);
    const deliveredTo = () => target.received.filter((r) => JSON.parse(r.rawBody.toString('utf8')).data.provider === c.provider);
    const created = await sandbox(origin, 'events', { type: c.created });
    // Where the platform pushes (natively or through the operator's webhook), the gateway's receiver took it.
    if (c.provider !== 'BOOKINGTIME') expect(created.webhooksDelivered).toBeGreaterThanOrEqual(1);
    expect(await waitFor(() => mine().length >= 1)).toBe(true);
    const canceled = await sandbox(origin, 'events', { type: c.canceled, bookingId: created.bookingId });
    if (c.provider !== 'BOOKINGTIME') expect(canceled.webhooksDelivered).toBeGreaterThanOrEqual(1);
    expect(await waitFor(() => mine().length >= 2 && deliveredTo().length >= 2)).toBe(true);
    // Two more polls: what was pushed and then polled (or polled twice) is still published once.
    await sleep(2_500);

    expect(mine().map((e) => e.type)).toEqual(['BOOKING_CREATED', 'BOOKING_CANCELED']);
    for (const e of mine()) expect(e.booking.nativeId).toBe(String(created.bookingId));
    expect(mine()[1].booking.status).toBe('CANCELED');
    expect(new Set(mine().map((e) => e.id)).size).toBe(2);

    const wh = new Webhook(sub.signingSecret);
    const bodies = deliveredTo().map((r) => wh.verify(r.rawBody, r.headers as Record<string, string>) as Json);
    expect(bodies.map((b) => b.type)).toEqual(['BOOKING_CREATED', 'BOOKING_CANCELED']);
    expect(bodies.map((b) => b.data.id)).toEqual(mine().map((e) => e.id));
    expect(bodies[0].data.booking.id).toBe(mine()[0].booking.id);
    expect(new Set(deliveredTo().map((r) => r.headers['webhook-id'])).size).toBe(2);

    const un = await gql(tg.url, tg.demoKey, 'mutation($id: ID!) { unsubscribeWebhook(id: $id) }', { id: sub.id });
    expect(un.body.data.unsubscribeWebhook).toBe(true);
    const after = await sandbox(origin, 'events', { type: c.created });
    // What the gateway registered at the platform is gone there: nothing is pushed any more.
    if (c.mode === 'NATIVE') expect(after.webhooksAttempted).toBe(0);
    await sleep(2_500);
    expect(mine()).toHaveLength(2);
    expect(deliveredTo()).toHaveLength(2);
    const left = await gql(tg.url, tg.demoKey, '{ webhookSubscriptions { id } }');
    expect(left.body.data.webhookSubscriptions.map((s: Json) => s.id)).not.toContain(sub.id);
  }, 40_000);
});
