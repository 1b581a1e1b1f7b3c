import { randomUUID } from 'node:crypto';
import type { EmulatorContext, EmuRequest, Route } from '../framework/types.js';
import type { WebhookJob } from '../framework/webhooks.js';
import { fail, jsonBody, queryUuid } from './http.js';
import { type Appointment, WEBHOOK_TRIGGERS, type Webhook, type WebhookTrigger } from './model.js';
import type { OnSchedState } from './state.js';
import { webhookAppointmentView, webhookView } from './views.js';
import type { Secure } from './auth.js';
import type { Company } from './model.js';

/**
 * V3 webhooks (contract §4): location-scoped subscriptions managed at `/v3/webhook`, delivered as
 * `{"appointment":{…},"trigger":"…"}` with the configured headers, one attempt, no retries.
 */

export const USER_AGENT = 'OnSched-Webhooks/3.0';
/** The reminder fires this long before `startDateTime` (§4, Assumed). */
export const REMINDER_LEAD_MS = 86_400_000;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the emulator sets itself; configured values for them are not sent. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'host', 'connection', 'transfer-encoding']);

export class WebhookNotifier {
  constructor(
    private readonly state: OnSchedState,
    private readonly ctx: EmulatorContext,
  ) {}

  /** One job per active webhook of the appointment's location that listens to `trigger`; the body is built now. */
  jobs(a: Appointment, triggers: WebhookTrigger[]): WebhookJob[] {
    const out: WebhookJob[] = [];
    for (const trigger of triggers) {
      const body = JSON.stringify({ appointment: webhookAppointmentView(this.state, a), trigger });
      for (const w of this.state.webhooksOf(a.locationId)) {
        if (!w.active || !w.triggers.includes(trigger)) continue;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(w.headers)) if (!RESERVED_HEADERS.has(k.toLowerCase())) headers[k] = v;
        headers['content-type'] = 'application/json';
        headers['user-agent'] = USER_AGENT;
        out.push({ subscriptionId: w.id, url: w.url, headers, body, retryDelaysSeconds: [] });
      }
    }
    return out;
  }

  /** Sends the jobs and waits for every attempt. */
  async send(jobs: WebhookJob[]): Promise<{ attempted: number; delivered: number }> {
    const results = await Promise.all(jobs.map((j) => this.ctx.webhooks.deliver(j)));
    return { attempted: jobs.length, delivered: results.filter(Boolean).length };
  }

  /** An `after` callback that starts the deliveries once the API answer is sent (README §8). */
  after(jobs: WebhookJob[]): (() => void) | undefined {
    if (jobs.length === 0) return undefined;
    return () => void this.send(jobs);
  }

  /**
   * APPOINTMENT_REMINDER (§4): once per `BK` appointment when the clock passes start − 24 h, if it
   * was booked (or moved) before that moment and has not started yet. Runs in time order.
   */
  async tick(nowMs: number): Promise<void> {
    const due = this.state.data.appointments
      .filter((a) => a.status === 'BK' && !a.reminded && a.reminderArmedMs !== null && a.startMs - REMINDER_LEAD_MS <= nowMs)
      .sort((a, b) => a.startMs - b.startMs);
    for (const a of due) {
      a.reminded = true;
      const dueMs = a.startMs - REMINDER_LEAD_MS;
      if (dueMs < (a.reminderArmedMs as number) || a.startMs <= nowMs) continue;
      await this.send(this.jobs(a, ['APPOINTMENT_REMINDER']));
    }
  }
}

/** Validates one webhook definition of a request body (400 on any problem). */
function readWebhook(raw: unknown, where: string): Pick<Webhook, 'url' | 'headers' | 'triggers' | 'active'> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail(400, `${where} must be an object`);
  const b = raw as Record<string, unknown>;
  let url: URL | null = null;
  try {
    url = typeof b.url === 'string' ? new URL(b.url) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) fail(400, `${where}.url must be an absolute http(s) URL`);
  const headers: Record<string, string> = {};
  if (b.headers !== undefined && b.headers !== null) {
    if (typeof b.headers !== 'object' || Array.isArray(b.headers)) fail(400, `${where}.headers must be an object of strings`);
    for (const [k, v] of Object.entries(b.headers as Record<string, unknown>)) {
      if (!HEADER_NAME.test(k) || typeof v !== 'string' || /[\r\n\0]/.test(v)) fail(400, `${where}.headers.${k} must be a valid header with a string value`);
      headers[k] = v as string;
    }
  }
  if (!Array.isArray(b.triggers) || b.triggers.length === 0) fail(400, `${where}.triggers must be a non-empty array`);
  const triggers: WebhookTrigger[] = [];
  for (const t of b.triggers as unknown[]) {
    if (!WEBHOOK_TRIGGERS.includes(t as WebhookTrigger)) fail(400, `${where}.triggers: unknown trigger ${String(t)}; use ${WEBHOOK_TRIGGERS.join(', ')}`);
    if (!triggers.includes(t as WebhookTrigger)) triggers.push(t as WebhookTrigger);
  }
  if (b.active !== undefined && typeof b.active !== 'boolean') fail(400, `${where}.active must be a boolean`);
  return { url: b.url as string, headers, triggers, active: b.active !== false };
}

/** `GET/POST /v3/webhook` and `POST /v3/webhook/setWebhooks` (§4). */
export function webhookRoutes(state: OnSchedState, ctx: EmulatorContext, secured: Secure): Route[] {
  const locationOf = (req: EmuRequest, company: Company, body?: () => void) => {
    const id = queryUuid(req, 'locationId');
    if (!id) fail(400, 'locationId is required');
    body?.();
    const location = state.location(company.id, id as string);
    if (!location) fail(404, `Location ${id} not found`);
    return id as string;
  };
  const make = (locationId: string, def: ReturnType<typeof readWebhook>): Webhook => ({
    id: randomUUID(),
    locationId,
    ...def,
    createdMs: ctx.clock.now(),
  });
  return [
    {
      method: 'GET',
      path: '/v3/webhook',
      handler: secured((req, company) => {
        const locationId = locationOf(req, company);
        return { status: 200, body: { status: 'success', data: state.webhooksOf(locationId).map(webhookView) } };
      }),
    },
    {
      method: 'POST',
      path: '/v3/webhook',
      handler: secured((req, company) => {
        let def: ReturnType<typeof readWebhook> | undefined;
        const locationId = locationOf(req, company, () => {
          def = readWebhook(jsonBody(req), 'body');
        });
        const webhook = make(locationId, def as ReturnType<typeof readWebhook>);
        state.webhooks.set(locationId, [...state.webhooksOf(locationId), webhook]);
        return { status: 201, body: { status: 'success', data: webhookView(webhook) } };
      }),
    },
    {
      method: 'POST',
      path: '/v3/webhook/setWebhooks',
      handler: secured((req, company) => {
        let defs: Array<ReturnType<typeof readWebhook>> = [];
        const locationId = locationOf(req, company, () => {
          const body = jsonBody(req);
          if (!Array.isArray(body.webhooks)) fail(400, 'webhooks must be an array');
          defs = (body.webhooks as unknown[]).map((w, i) => readWebhook(w, `webhooks[${i}]`));
        });
        const set = defs.map((d) => make(locationId, d));
        if (set.length === 0) state.webhooks.delete(locationId);
        else state.webhooks.set(locationId, set);
        return { status: 200, body: { status: 'success', data: set.map(webhookView) } };
      }),
    },
  ];
}
