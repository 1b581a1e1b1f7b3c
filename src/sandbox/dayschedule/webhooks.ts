import { tzOffsetMinutes } from '../framework/seed.js';
import type { EmulatorContext, Route } from '../framework/types.js';
import { withCaller } from './auth.js';
import { forbidden, isObjectId, notFound, readBody, validation } from './http.js';
import { APP_NAME, type Booking, TRIGGER_TYPES, type Trigger, type TriggerType, durationMinutes, iso } from './model.js';
import type { DayScheduleState } from './state.js';

/**
 * App triggers of dayschedule.md §4: subscribe/unsubscribe at `POST /v1/webhook/{app_name}`, the
 * delivery payload, and the time triggers run on the emulator clock. One attempt, no retries.
 */

const BEFORE_EVENT_MS = 300_000;
const TIME_TRIGGERS: ReadonlyArray<TriggerType> = ['before_event', 'event_start', 'event_end'];

/** `Tuesday, March 11, 2025 10:00 AM (GMT +05:30)` in `timeZone`. */
export function hostTime(timeZone: string, ms: number): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const off = tzOffsetMinutes(timeZone, ms);
  const abs = Math.abs(off);
  const offset = `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${get('weekday')}, ${get('month')} ${get('day')}, ${get('year')} ${get('hour')}:${get('minute')} ${get('dayPeriod')} (GMT ${offset})`;
}

/** The §4 delivery body for `booking` as it is now. */
export function triggerPayload(state: DayScheduleState, trigger: Trigger, type: TriggerType, b: Booking) {
  const resource = state.resource(b.org_id, b.resource_id);
  const host = state.user(b.org_id, b.host_user_id);
  const locationName = b.location.name || b.location.type;
  const where = b.location.join_url ?? b.location.address ?? '';
  return {
    type,
    trigger_id: trigger.id,
    booking: {
      _id: b.booking_id,
      booking_id: b.booking_id,
      org_id: b.org_id,
      start_at: iso(b.start_at),
      end_at: iso(b.end_at),
      time_zone: b.time_zone,
      status: b.status,
      subject: b.subject,
      color: b.color,
      description: b.description,
      event: {
        event_id: b.resource_id,
        type: resource?.event_type ?? 'one_on_one',
        name: resource?.name ?? '',
        description: resource?.description ?? null,
      },
      host: {
        user_id: b.host_user_id,
        name: host?.name ?? '',
        email: host?.email ?? '',
        time: hostTime(host?.time_zone ?? 'UTC', b.start_at),
      },
      location: { type: locationName, ...(b.location.join_url ? { join_url: b.location.join_url } : {}), location: where },
      invitees: b.invitees.map((i) => ({ invitee_id: i.invitee_id, name: i.name, email: i.email, status: i.status })),
    },
    event: {
      event_id: b.resource_id,
      org_id: b.org_id,
      user_id: resource?.user_id ?? b.host_user_id,
      page_id: resource?.page_id ?? null,
      name: resource?.name ?? '',
      type: resource?.event_type ?? 'one_on_one',
      location: { type: resource?.locations[0]?.name ?? locationName },
      duration: resource ? durationMinutes(resource.durations[0]) : b.duration.value,
      color: resource?.color ?? b.color,
      description: resource?.description ?? null,
    },
  };
}

/** Fires triggers and serves the subscription API. */
export class TriggerHub {
  constructor(
    private readonly state: DayScheduleState,
    private readonly ctx: EmulatorContext,
  ) {}

  /** Starts one attempt per matching trigger of the booking's organization; payloads are taken now. */
  fire(type: TriggerType, booking: Booking): Array<Promise<boolean>> {
    return this.state.triggers.filter((t) => t.org_id === booking.org_id && t.type === type).map((t) => this.send(t, type, booking));
  }

  /** For API calls (README §8): a callback that starts the deliveries once the answer is sent. */
  later(type: TriggerType, booking: Booking): () => void {
    const bodies = this.state.triggers
      .filter((t) => t.org_id === booking.org_id && t.type === type)
      .map((t) => ({ t, body: JSON.stringify(triggerPayload(this.state, t, type, booking)) }));
    return () => {
      for (const { t, body } of bodies) void this.deliver(t, body);
    };
  }

  /** Fires and waits (control routes); counts attempts and 2xx answers. */
  async fireAndWait(type: TriggerType, booking: Booking): Promise<{ webhooksAttempted: number; webhooksDelivered: number }> {
    const results = await Promise.all(this.fire(type, booking));
    return { webhooksAttempted: results.length, webhooksDelivered: results.filter(Boolean).length };
  }

  private send(trigger: Trigger, type: TriggerType, booking: Booking): Promise<boolean> {
    return this.deliver(trigger, JSON.stringify(triggerPayload(this.state, trigger, type, booking)));
  }

  private deliver(trigger: Trigger, body: string): Promise<boolean> {
    return this.ctx.webhooks.deliver({
      subscriptionId: trigger.id,
      url: trigger.url,
      headers: { 'content-type': 'application/json', 'user-agent': 'DaySchedule-Webhook/1.0' },
      body,
      retryDelaysSeconds: [],
    });
  }

  /**
   * Time triggers due at or before `nowMs` (§4): for confirmed bookings, `before_event` at start − 5
   * minutes, `event_start` at start, `event_end` at end; once per booking and trigger, only for
   * instants after the trigger was created; run in time order, each awaited.
   */
  async tick(nowMs: number): Promise<void> {
    const due: Array<{ at: number; trigger: Trigger; booking: Booking }> = [];
    for (const trigger of this.state.triggers) {
      if (!TIME_TRIGGERS.includes(trigger.type)) continue;
      for (const booking of this.state.data.bookings) {
        if (booking.org_id !== trigger.org_id || booking.status !== 'confirmed') continue;
        const at = trigger.type === 'before_event' ? booking.start_at - BEFORE_EVENT_MS : trigger.type === 'event_start' ? booking.start_at : booking.end_at;
        if (at <= trigger.created_at || at > nowMs || this.state.fired.has(`${trigger.id}:${booking.booking_id}`)) continue;
        due.push({ at, trigger, booking });
      }
    }
    due.sort((a, b) => a.at - b.at || a.trigger.created_at - b.trigger.created_at);
    for (const { trigger, booking } of due) {
      const key = `${trigger.id}:${booking.booking_id}`;
      if (this.state.fired.has(key) || !this.state.triggers.includes(trigger)) continue;
      this.state.fired.add(key);
      await this.send(trigger, trigger.type, booking);
    }
  }

  /** `POST /v1/webhook/{app_name}`: subscribe, or unsubscribe with `{"id","delete":true}`. */
  routes(): Route[] {
    const state = this.state;
    return [
      {
        method: 'POST',
        path: '/v1/webhook/:app_name',
        handler: withCaller(state, (req, caller) => {
          if (caller.via !== 'token') return forbidden();
          const read = readBody(req);
          if (!read.ok) return read.response;
          const b = read.body;
          if (b.delete !== undefined && typeof b.delete !== 'boolean') return validation(['delete must be a boolean value']);
          if (b.delete === true) {
            if (!isObjectId(b.id)) return validation(['id must be a mongodb id']);
            if (req.params.app_name !== APP_NAME) return notFound('App not found');
            const trigger = state.triggers.find((t) => t.id === b.id && t.org_id === caller.orgId && t.app_name === APP_NAME);
            if (!trigger) return notFound('Trigger not found');
            state.triggers = state.triggers.filter((t) => t !== trigger);
            return { status: 201, body: { id: trigger.id, message: 'Trigger deleted successfully' } };
          }
          const errors: string[] = [];
          if (!TRIGGER_TYPES.includes(b.type as TriggerType)) errors.push(`type must be one of the following values: ${TRIGGER_TYPES.join(', ')}`);
          if (!isHttpUrl(b.url)) errors.push('url must be a URL address');
          if (errors.length) return validation(errors);
          if (req.params.app_name !== APP_NAME) return notFound('App not found');
          const existing = state.triggers.find((t) => t.org_id === caller.orgId && t.type === b.type && t.url === b.url);
          if (existing) return { status: 201, body: { id: existing.id } };
          const trigger: Trigger = {
            id: state.newId(),
            org_id: caller.orgId,
            app_name: APP_NAME,
            type: b.type as TriggerType,
            url: b.url as string,
            created_at: state.clock.now(),
          };
          state.triggers.push(trigger);
          return { status: 201, body: { id: trigger.id } };
        }),
      },
    ];
  }
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
