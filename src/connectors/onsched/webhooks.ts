import { declaredWebhooks, pushedPayload, sameSecret } from '../webhook-push.js';
import { z } from 'zod';
import type { BookingEventType } from '../enums.js';
import { ProviderError } from '../errors.js';
import { MAX_PAGES_PER_LISTING } from '../paging.js';
import type { ConnectorContext, PlatformEvent, PushedRequest, ReceiverTarget, UnifiedBooking, WebhookCapabilities, WebhookRegistration } from '../types.js';
import { mapLimit } from '../util.js';
import type { OnSchedCredentials } from './auth.js';
import type { CompanyScope, OnSchedClient } from './client.js';
import { toBooking } from './mapping.js';
import { onschedProvider as P } from './provider.js';
import { cachedLocations, companyScopes, type OnSchedQueries, type OnSchedSettings } from './queries.js';
import { type Webhook, webhookAnswerSchema, webhookListSchema, webhookPayloadSchema } from './schemas.js';

/** Booking events of OnSched: V3 location webhooks registered through the API (docs/platforms/onsched.md §4, §6). */

type Ctx = ConnectorContext<OnSchedCredentials, OnSchedSettings>;

const DAY_MS = 86_400_000;

/** What `sync` answers and gets back: the receiver URL registered, and at which locations. */
const registrationSchema = z.object({
  url: z.string(),
  locations: z.array(z.object({ companyId: z.string(), locationId: z.string() })),
});

/** The OnSched triggers that report `events` (§4), in the platform's order; events without one are timed by the gateway. */
export function webhookTriggers(events: readonly BookingEventType[]): string[] {
  return Object.entries(P.triggerEvents)
    .filter(([, event]) => events.includes(event))
    .map(([trigger]) => trigger);
}

/** The webhook the gateway wants at every location for `triggers`. */
function wantedWebhook(target: ReceiverTarget, triggers: string[]) {
  return { url: target.url, headers: { [P.secretHeader]: target.secret }, triggers, active: true };
}

/** Whether `w` is already exactly `wanted` (URL, secret header, triggers, active). Pure. */
function isWanted(w: Webhook, wanted: ReturnType<typeof wantedWebhook>): boolean {
  const header = Object.entries(w.headers ?? {}).find(([k]) => k.toLowerCase() === P.secretHeader.toLowerCase())?.[1];
  const triggers = new Set(w.triggers);
  return (
    w.url === wanted.url &&
    header === wanted.headers[P.secretHeader] &&
    w.active !== false &&
    triggers.size === wanted.triggers.length &&
    wanted.triggers.every((t) => triggers.has(t))
  );
}

/** A webhook as `setWebhooks` takes it back: everything but what the platform assigns (id, location, creation time). */
function definitionOf(w: Webhook): Record<string, unknown> {
  const { id: _id, locationId: _location, createdAt: _created, ...definition } = w;
  return definition;
}

/**
 * The webhook half of the OnSched connector. `sync` keeps exactly one webhook of ours (same URL) at
 * every location of every company, with the triggers the wanted events need, and never changes the
 * others: a webhook is added with `POST /v3/webhook`; changing or removing ours rewrites the
 * location's set with `setWebhooks` (there is no DELETE, §4), every other webhook in it as it was
 * read. `parse` maps the pushed appointment as `listBookings` does (refs `<companyId>:<id>`);
 * `changedBookings` lists a window of start dates, the platform having no updated-since filter (§3.4).
 */
export function onschedWebhooks(ctx: Ctx, client: OnSchedClient, queries: Pick<OnSchedQueries, 'listBookings'>): WebhookCapabilities {
  const scopes = companyScopes(ctx);
  const locations = cachedLocations(ctx, client);

  const listAt = async (s: CompanyScope, locationId: string): Promise<Webhook[]> =>
    (await client.get(s, 'syncWebhooks', P.webhookPath, { locationId }, webhookListSchema)).data;

  /** Makes the location's webhooks of ours (URL in `ours`) exactly `wanted` (none when null), others untouched. */
  async function syncLocation(s: CompanyScope, locationId: string, ours: Set<string>, wanted: ReturnType<typeof wantedWebhook> | null): Promise<void> {
    const current = await listAt(s, locationId);
    const mine = current.filter((w) => ours.has(w.url));
    if (mine.length === 0 && !wanted) return;
    if (wanted && mine.length === 1 && isWanted(mine[0], wanted)) return;
    if (wanted && mine.length === 0) {
      await client.write(s, 'syncWebhooks', { method: 'POST', path: P.webhookPath, query: { locationId }, json: wanted }, webhookAnswerSchema);
      return;
    }
    const others = current.filter((w) => !ours.has(w.url)).map(definitionOf);
    await client.write(
      s,
      'syncWebhooks',
      { method: 'POST', path: P.setWebhooksPath, query: { locationId }, json: { webhooks: wanted ? [...others, wanted] : others } },
      webhookListSchema,
    );
  }

  /** The company of a location of this connection: the only one, else the one whose (cached, then fresh) locations have it. */
  async function companyOfLocation(locationId: string | null | undefined): Promise<string> {
    if (scopes.length === 1) return scopes[0].id;
    for (const fresh of [false, true]) {
      if (fresh) await Promise.all(scopes.map((s) => ctx.cache.invalidate(`locations:${s.id}`)));
      const found = await mapLimit(scopes, P.concurrency, async (s) => ((await locations(s)).some((l) => l.id === locationId) ? s.id : null));
      const companyId = found.find((id) => id !== null);
      if (companyId) return companyId;
    }
    throw new ProviderError(
      P.key,
      'parseWebhook',
      'PROVIDER_ERROR',
      `OnSched pushed an appointment of location ${locationId}, which no company of this connection has`,
    );
  }

  return {
    ...declaredWebhooks(P.webhooks),

    /**
     * One webhook at every location of every company: `url` = the receiver, the secret in the
     * `X-Gateway-Token` header, the triggers of `events` (§4). None of the events has a trigger →
     * ours are removed and the answer is null. Ours = a webhook at the receiver URL (this one or the
     * previously registered one). Per location one `GET` and at most one write. Throws `ProviderError`.
     */
    async sync(target: ReceiverTarget, events: readonly BookingEventType[], previous: WebhookRegistration | null): Promise<WebhookRegistration | null> {
      const triggers = webhookTriggers(events);
      const wanted = triggers.length ? wantedWebhook(target, triggers) : null;
      const before = registrationSchema.safeParse(previous);
      const ours = new Set([target.url, ...(before.success ? [before.data.url] : [])]);
      const places = (await mapLimit(scopes, P.concurrency, async (s) => (await locations(s)).map((l) => ({ s, locationId: l.id })))).flat();
      await mapLimit(places, P.concurrency, ({ s, locationId }) => syncLocation(s, locationId, ours, wanted));
      return wanted ? { url: target.url, locations: places.map(({ s, locationId }) => ({ companyId: s.id, locationId })) } : null;
    },

    /** The `X-Gateway-Token` header is the connection's secret. Never throws. */
    verify(req: PushedRequest, secret: string): boolean {
      return sameSecret(req.headers[P.secretHeader.toLowerCase()], secret);
    },

    /**
     * The event of a delivery (§4): `NEW_APPOINTMENT` → BOOKING_CREATED, `APPOINTMENT_CANCELLED` →
     * BOOKING_CANCELED, other triggers none; an appointment that is no booking (`IN`, `HD`, `RE`) none
     * either, as in `listBookings`. OnSched sends no event id nor time. Throws `ProviderError` for a
     * body that is not a delivery.
     */
    async parse(req: PushedRequest): Promise<PlatformEvent[]> {
      const payload = pushedPayload(P.key, req.rawBody, webhookPayloadSchema);
      const type = (P.triggerEvents as Record<string, BookingEventType>)[payload.trigger];
      if (!type) return [];
      const { appointment } = payload;
      const booking = toBooking(appointment, await companyOfLocation(appointment.locationId), Date.now());
      return booking ? [{ eventId: null, type, booking, occurredAt: null }] : [];
    },

    /**
     * Every booking starting from `P.changesWindowDays.past` days ago to `.ahead` days ahead, whatever
     * `since` (the list filters on local start dates only, §3.4), through `listBookings`: per company
     * ⌈appointments in the window / 100⌉ calls, at most `MAX_PAGES_PER_LISTING`.
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
