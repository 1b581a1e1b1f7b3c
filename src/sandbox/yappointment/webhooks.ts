import { createHmac, randomInt } from 'node:crypto';
import { ControlError, type EmulatorContext } from '../framework/types.js';
import { randomString } from '../framework/util.js';
import { COMPANY_SUMMARIES } from './seed.js';
import { formatId, isoSeconds, wholeSecond } from './state.js';

/**
 * Signed webhooks (§4): subscriptions made in the web app (here the admin-UI stand-in
 * `/__sandbox/webhooks`), `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body keyed with the
 * subscription secret, a unique `evt_` id per event, retries 1 min … 48 h then dead-letter.
 */

export const WEBHOOK_EVENTS = [
  'booking.created',
  'booking.updated',
  'booking.cancelled',
  'booking.rescheduled',
  'booking.completed',
  'booking.no_show',
  'customer.created',
  'customer.updated',
  'service.updated',
  'employee.updated',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Delays between attempts, each from the previous attempt (seconds, emulator clock). */
export const RETRY_DELAYS_SECONDS = [60, 300, 1_800, 7_200, 21_600, 86_400, 172_800];
export const USER_AGENT = 'yAppointment-Webhooks/1.0';

/** `hex(HMAC_SHA256(secret, body))` (§4 "Verify"). */
export function signBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export interface Subscription {
  id: string;
  companyId: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  active: boolean;
  createdAt: string;
}

export class WebhookHub {
  private subscriptions: Subscription[] = [];
  private nextId = 100_000_001;
  /** Event ids handed out in this process (they must never repeat: they are the dedupe key). */
  private usedEventIds = new Set<string>();

  constructor(private readonly ctx: EmulatorContext) {}

  list(): Subscription[] {
    return this.subscriptions.map((s) => ({ ...s, events: [...s.events] }));
  }

  /** The "Add Webhook" screen: `{companyId, url, events}` → the subscription with its secret. */
  create(body: unknown): Subscription {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.companyId !== 'string' || !COMPANY_SUMMARIES.some((c) => c.id === b.companyId)) {
      throw new ControlError(400, 'companyId must be one of the sandbox companies');
    }
    let url: URL | null = null;
    try {
      url = typeof b.url === 'string' ? new URL(b.url) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ControlError(400, 'url must be an http or https URL');
    const events = b.events;
    if (!Array.isArray(events) || events.length === 0 || events.some((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e))) {
      throw new ControlError(400, `events must be a non-empty array of: ${WEBHOOK_EVENTS.join(', ')}`);
    }
    const sub: Subscription = {
      id: `wh_${this.nextId++}`,
      companyId: b.companyId,
      url: b.url as string,
      events: [...new Set(events as WebhookEvent[])],
      secret: `whsec_${randomString(32)}`,
      active: true,
      createdAt: isoSeconds(this.ctx.clock.now()),
    };
    this.subscriptions.push(sub);
    return { ...sub, events: [...sub.events] };
  }

  remove(id: string): boolean {
    const before = this.subscriptions.length;
    this.subscriptions = this.subscriptions.filter((s) => s.id !== id);
    return this.subscriptions.length < before;
  }

  private eventId(): string {
    for (;;) {
      const id = formatId('evt', randomInt(100_000_000, 1_000_000_000));
      if (!this.usedEventIds.has(id)) {
        this.usedEventIds.add(id);
        return id;
      }
    }
  }

  /**
   * Sends `event` to every active subscription of `companyId` that asked for it (each gets its own
   * event id); resolves when every first attempt has finished.
   */
  async emit(companyId: string, event: WebhookEvent, data: unknown): Promise<{ attempted: number; delivered: number }> {
    const targets = this.subscriptions.filter((s) => s.active && s.companyId === companyId && s.events.includes(event));
    const timestamp = isoSeconds(wholeSecond(this.ctx.clock.now()));
    const results = await Promise.all(
      targets.map((s) => {
        const body = JSON.stringify({ id: this.eventId(), timestamp, event, data });
        return this.ctx.webhooks.deliver({
          subscriptionId: s.id,
          url: s.url,
          headers: {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            'x-webhook-signature': signBody(s.secret, body),
          },
          body,
          retryDelaysSeconds: RETRY_DELAYS_SECONDS,
        });
      }),
    );
    return { attempted: results.length, delivered: results.filter(Boolean).length };
  }

  reset(): void {
    this.subscriptions = [];
    this.nextId = 100_000_001;
  }
}
