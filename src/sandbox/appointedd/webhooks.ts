import { ControlError, type EmulatorContext } from '../framework/types.js';
import type { WebhookJob } from '../framework/webhooks.js';
import {
  type Account,
  type Booking,
  bookingPrice,
  type Customer,
  hookTime,
  OBJECT_ID,
  type Resource,
  type Service,
  totalSpaces,
  WEBHOOK_TRIGGERS,
  type WebhookAuth,
  type WebhookSubscription,
  type WebhookTrigger,
} from './model.js';
import type { AppointeddState } from './state.js';

/**
 * Contract §4: webhooks set up in the web app (stand-in: `/__sandbox/webhooks`), one trigger each,
 * delivered as JSON with `User-Agent: Appointedd-Webhooks/1.0` and the subscription's basic or
 * header auth; no signature; after a failure up to 3 more attempts 1, 10 and 60 minutes later.
 */

export const USER_AGENT = 'Appointedd-Webhooks/1.0';
export const RETRY_DELAYS_SECONDS = [60, 600, 3_600];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = ['content-type', 'content-length', 'user-agent', 'host', 'connection', 'transfer-encoding'];

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Validates an admin-UI webhook form (400 `ControlError` on the first problem). */
function parseSubscription(state: AppointeddState, body: unknown, id: string): WebhookSubscription {
  const b = body as Record<string, unknown>;
  const fail = (m: string): never => {
    throw new ControlError(400, m);
  };
  if (typeof b.account_id !== 'string' || !OBJECT_ID.test(b.account_id) || !state.accounts.has(b.account_id)) fail('account_id must be one of the accounts');
  if (typeof b.name !== 'string' || b.name.trim() === '') fail('name is required');
  if (typeof b.trigger !== 'string' || !(WEBHOOK_TRIGGERS as readonly string[]).includes(b.trigger)) {
    fail(`trigger must be one of ${WEBHOOK_TRIGGERS.join(', ')}`);
  }
  let url: URL | null = null;
  try {
    url = typeof b.url === 'string' ? new URL(b.url) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) fail('url must be an http or https URL');
  const a = (b.auth ?? { type: 'none' }) as Record<string, unknown>;
  let auth: WebhookAuth = { type: 'none' };
  if (typeof a !== 'object' || a === null || Array.isArray(a)) fail('auth must be an object');
  else if (a.type === 'basic') {
    if (typeof a.username !== 'string' || a.username === '' || a.username.includes(':')) fail('auth.username is required (no colon)');
    if (typeof a.password !== 'string') fail('auth.password is required');
    auth = { type: 'basic', username: a.username as string, password: a.password as string };
  } else if (a.type === 'header') {
    if (typeof a.name !== 'string' || !HEADER_NAME.test(a.name) || RESERVED_HEADERS.includes(a.name.toLowerCase()))
      fail('auth.name must be a custom header name');
    if (typeof a.value !== 'string' || /[\r\n]/.test(a.value)) fail('auth.value must be a single-line string');
    auth = { type: 'header', name: a.name as string, value: a.value as string };
  } else if (a.type !== 'none') fail('auth.type must be none, basic or header');
  return { id, account_id: b.account_id as string, name: (b.name as string).trim(), trigger: b.trigger as WebhookTrigger, url: b.url as string, auth };
}

export class WebhookHub {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly state: AppointeddState,
  ) {}

  /** The admin-UI stand-in (README §7). */
  readonly admin = {
    list: (): unknown[] => [...this.state.subscriptions.values()],
    create: (body: unknown): unknown => {
      const sub = parseSubscription(this.state, body, this.state.newObjectId(this.ctx.clock.now()));
      this.state.subscriptions.set(sub.id, sub);
      return sub;
    },
    remove: (id: string): boolean => this.state.subscriptions.delete(id),
  };

  /** Jobs for every subscription of `accountId` with `trigger`, with the body frozen now. */
  private jobs(trigger: WebhookTrigger, accountId: string, payload: unknown): WebhookJob[] {
    const body = JSON.stringify(payload);
    return [...this.state.subscriptions.values()]
      .filter((s) => s.account_id === accountId && s.trigger === trigger)
      .map((s) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
        if (s.auth.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${s.auth.username}:${s.auth.password}`).toString('base64')}`;
        if (s.auth.type === 'header') headers[s.auth.name.toLowerCase()] = s.auth.value;
        return { subscriptionId: s.id, url: s.url, headers, body, retryDelaysSeconds: RETRY_DELAYS_SECONDS };
      });
  }

  /** Sends first attempts and waits for them; retries continue on the emulator clock. */
  private async send(jobs: WebhookJob[]): Promise<{ attempted: number; delivered: number }> {
    const results = await Promise.all(jobs.map((j) => this.ctx.webhooks.deliver(j)));
    return { attempted: jobs.length, delivered: results.filter(Boolean).length };
  }

  /** Builds the booking payload now; the returned function delivers it (for a response's `after`). */
  bookingEvent(trigger: WebhookTrigger, booking: Booking): () => void {
    const jobs = this.jobs(trigger, booking.accountId, this.bookingPayload(trigger, booking));
    return () => void this.send(jobs);
  }

  customerEvent(trigger: WebhookTrigger, customer: Customer): () => void {
    const jobs = this.jobs(trigger, customer.accountId, this.customerPayload(trigger, customer));
    return () => void this.send(jobs);
  }

  /** Fires and awaits (control events, README §7). */
  fireBooking(trigger: WebhookTrigger, booking: Booking) {
    return this.send(this.jobs(trigger, booking.accountId, this.bookingPayload(trigger, booking)));
  }

  fireCustomer(trigger: WebhookTrigger, customer: Customer) {
    return this.send(this.jobs(trigger, customer.accountId, this.customerPayload(trigger, customer)));
  }

  private organisation(accountId: string) {
    const account = this.state.accounts.get(accountId) as Account;
    return { id: account.id, name: account.name };
  }

  /** The documented booking payload (§4): `Z` dates, capitalised statuses. */
  bookingPayload(trigger: WebhookTrigger, b: Booking) {
    const service = this.state.services.get(b.serviceId) as Service;
    const resource = this.state.resources.get(b.resourceId) as Resource;
    const spaces = totalSpaces(b);
    return {
      event_type: trigger,
      event_data: {
        organisation: this.organisation(b.accountId),
        booking: {
          id: b.id,
          start_time: hookTime(b.start),
          end_time: hookTime(b.end),
          price: bookingPrice(b),
          created: hookTime(b.created),
          status: capitalise(b.status),
          type: 'Hourly',
          timezone: b.timezone,
          allow_online_group: service.maxOccupancy > 1,
          max_occupancy: service.maxOccupancy,
          last_modified_source: b.lastModifiedSource,
          updated: hookTime(b.updated),
        },
        participants: b.participants.map((p) => {
          const c = this.state.customers.get(p.customerId);
          return {
            id: p.customerId,
            firstname: c?.firstname ?? '',
            lastname: c?.lastname ?? '',
            timezone: p.timezone,
            email: c?.email ?? null,
            marketing_opt_in: c?.marketingOptIn ?? false,
            spaces: p.spaces,
            booking_status: p.status,
            notes: '',
            questions: [],
            customer_booking_id: p.customerBookingId,
            total_price: p.totalPrice,
            total_spaces: spaces,
            price_points: [{ price_per_quantity: service.price, quantity: p.spaces, spaces_per_quantity: 1 }],
          };
        }),
        bookables: [{ id: resource.id, name: resource.name, email: resource.email }],
        service: { id: service.id, name: service.name },
      },
    };
  }

  /** The customer payload (§4, Assumed). */
  customerPayload(trigger: WebhookTrigger, c: Customer) {
    return {
      event_type: trigger,
      event_data: {
        organisation: this.organisation(c.accountId),
        customer: {
          id: c.id,
          firstname: c.firstname,
          lastname: c.lastname,
          email: c.email,
          mobile: c.mobile,
          phone: c.phone,
          marketing_opt_in: c.marketingOptIn,
          tags: [...c.tags],
          created: hookTime(c.created),
          updated: hookTime(c.updated),
        },
      },
    };
  }
}
