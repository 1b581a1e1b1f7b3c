import type { ConnectorContext, UnifiedBooking, WebhookCapabilities } from '../types.js';
import { declaredWebhooks } from '../webhook-push.js';
import { mapLimit } from '../util.js';
import type { BookingtimeCredentials } from './auth.js';
import type { BookingtimeClient } from './client.js';
import { localDate, monthsCovering, nextMonth, toBooking } from './mapping.js';
import { bookingtimeProvider as P } from './provider.js';
import { monthReader, type BookingtimeSettings } from './queries.js';

/**
 * bookingtime's booking events (docs/platforms/bookingtime.md §4, §6): the platform has no webhooks and
 * no updated-since filter, so the gateway polls and diffs: `changedBookings` answers every appointment
 * of the local months around now.
 */

type Ctx = ConnectorContext<BookingtimeCredentials, BookingtimeSettings>;

/**
 * The local calendar months (y, 1–12) a poll reads in `timeZone` at `nowMs` (pure): those covering
 * `P.webhooks.pollBehindMs` before now to `P.webhooks.pollAheadMs` after it, and always the current
 * and the next month (§4 suggests those two). Two months most days; three around a month's first day
 * (the past day lies in the month before) or when the next 31 days reach past the next month. In order.
 */
export function pollMonths(timeZone: string, nowMs: number): Array<{ y: number; m: number }> {
  const months = monthsCovering(timeZone, nowMs - P.webhooks.pollBehindMs, nowMs + P.webhooks.pollAheadMs, 3);
  const next = nextMonth(localDate(timeZone, nowMs));
  if (!months.some((mo) => mo.y === next.y && mo.m === next.m)) months.push(next);
  return months;
}

/**
 * What the gateway can do about bookingtime booking events for one connection: poll only. `since` is
 * not used (there is no filter for it); a booking changed outside the months read (more than about a
 * month ahead) is not seen. One `listMonth` call per organization and month of `pollMonths`, every
 * organization at once: 2 (some days 3) calls per organization, plus an organization token request
 * when its 5-minute token has run out.
 */
export function bookingtimeWebhooks(ctx: Ctx, client: BookingtimeClient): WebhookCapabilities {
  const now = () => Date.now();
  const monthOf = monthReader(ctx, client, now);
  return {
    ...declaredWebhooks(P.webhooks),

    async changedBookings(): Promise<UnifiedBooking[]> {
      const at = now();
      const perOrganization = await mapLimit(ctx.settings.organizations, P.concurrency, async (o) => {
        const ranges = await Promise.all(pollMonths(o.timeZone ?? 'UTC', at).map(({ y, m }) => monthOf(o, y, m)));
        return ranges.flatMap((r) => r.list.map((a) => toBooking(o.id, a, at)));
      });
      return perOrganization.flat();
    },
  };
}
