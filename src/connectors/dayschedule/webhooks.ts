import { declaredWebhooks, pushedPayload, sameSecret } from '../webhook-push.js';
import { z } from 'zod';
import type { BookingEventType } from '../enums.js';
import { MAX_PAGES_PER_LISTING } from '../paging.js';
import type { PlatformEvent, PushedRequest, ReceiverTarget, UnifiedBooking, WebhookCapabilities, WebhookRegistration } from '../types.js';
import { nullIfNotFound } from '../util.js';
import type { DayScheduleClient } from './client.js';
import { eventTypeOf, triggerBooking, triggerTypeOf } from './mapping.js';
import { dayscheduleProvider as P } from './provider.js';
import type { ContactLinks, DayScheduleQueries } from './queries.js';
import { triggerAnswerSchema, triggerPayloadSchema } from './schemas.js';

/** Booking events of DaySchedule: app triggers registered through the API (docs/platforms/dayschedule.md §4, §6). */

const DAY_MS = 86_400_000;

/** What `sync` answers and gets back: the id of the trigger registered per trigger type (`event_scheduled` → id). */
const registrationSchema = z.object({ triggers: z.record(z.string(), z.string()) });
type Registration = z.infer<typeof registrationSchema>;

/** A stored registration, or no trigger at all when it is not one (an older shape, or null). */
function readRegistration(previous: WebhookRegistration | null): Registration {
  const parsed = registrationSchema.safeParse(previous);
  return parsed.success ? parsed.data : { triggers: {} };
}

/** The URL DaySchedule calls: the receiver with the secret as `?k=` (§4: no signature, the URL is called as registered). */
export function triggerUrl(target: ReceiverTarget): string {
  return `${target.url}?${P.secretParam}=${encodeURIComponent(target.secret)}`;
}

/**
 * The webhook half of the DaySchedule connector. `sync` registers one app trigger per wanted type at
 * `POST /v1/webhook/{app_name}` (§4) and deletes the ones the previous sync registered that are no
 * longer wanted. Subscribing a type + URL that exists answers the existing id, so every wanted type is
 * posted on each sync: that repairs a trigger deleted on the platform and costs one call per type.
 * `parse` links the booking to its customer as the queries do (`links`); `changedBookings` lists a
 * window of start times, the platform having no updated-since filter (§3.4).
 */
export function dayscheduleWebhooks(
  client: DayScheduleClient,
  queries: Pick<DayScheduleQueries, 'listBookings'>,
  links: ContactLinks,
  appName: string,
): WebhookCapabilities {
  const path = `${P.triggerPath}/${encodeURIComponent(appName)}`;

  const subscribe = async (type: string, url: string): Promise<string> =>
    (await client.write('syncWebhooks', 'POST', path, { type, url }, triggerAnswerSchema)).id;
  /** Deletes a trigger; one the platform no longer knows (404) is already gone. */
  const unsubscribe = (id: string) => nullIfNotFound(() => client.write('syncWebhooks', 'POST', path, { id, delete: true }, triggerAnswerSchema));

  return {
    ...declaredWebhooks(P.webhooks),

    /**
     * One trigger per wanted type at `triggerUrl(target)`, then the previous triggers that are not
     * among them (a type no longer wanted, or one registered at another URL) deleted. Throws
     * `ProviderError`; after a failure the previous registration is still what to hand back next time.
     */
    async sync(target: ReceiverTarget, events: readonly BookingEventType[], previous: WebhookRegistration | null): Promise<WebhookRegistration | null> {
      const types = [...new Set(events.map(triggerTypeOf).filter((t): t is string => t !== null))];
      const url = triggerUrl(target);
      const triggers: Record<string, string> = {};
      for (const type of types) triggers[type] = await subscribe(type, url);
      const kept = new Set(Object.values(triggers));
      for (const id of Object.values(readRegistration(previous).triggers)) if (!kept.has(id)) await unsubscribe(id);
      return types.length ? { triggers } : null;
    },

    /** The `k` parameter of the called URL is the connection's secret. Never throws. */
    verify(req: PushedRequest, secret: string): boolean {
      return sameSecret(req.query.get(P.secretParam), secret);
    },

    /**
     * The one event of a delivery (§4): its `type` as the unified event (an unknown type → none), the
     * booking mapped and linked as `listBookings` does it. DaySchedule has no event id, and the
     * delivery does not say when it happened. Throws `ProviderError` for a body that is not a delivery.
     */
    async parse(req: PushedRequest): Promise<PlatformEvent[]> {
      const payload = pushedPayload(P.key, req.rawBody, triggerPayloadSchema);
      const type = eventTypeOf(payload.type);
      if (!type) return [];
      const [booking] = await links.linked([triggerBooking(payload)]);
      return [{ eventId: null, type, booking, occurredAt: null }];
    },

    /**
     * Every booking starting from `P.changesWindowDays.past` days ago to `.ahead` days ahead, whatever
     * `since`: the list filters on start days only (§3.4). The listing is `listBookings`' own (pages of
     * 100 in start order, customers linked from the cached contacts): ⌈bookings in the window / 100⌉
     * calls, at most `MAX_PAGES_PER_LISTING`.
     */
    async changedBookings(): Promise<UnifiedBooking[]> {
      const now = Date.now();
      return queries.listBookings({
        startsAfter: new Date(now - P.changesWindowDays.past * DAY_MS),
        startsBefore: new Date(now + P.changesWindowDays.ahead * DAY_MS),
        limit: MAX_PAGES_PER_LISTING * P.pageLimit,
      });
    },
  };
}
