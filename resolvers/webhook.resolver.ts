import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Booking } from '../schema/booking.type.js';
import { BookingEvent, WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryStatus, WebhookSubscription } from '../schema/events.type.js';
import { DateTimeScalar } from '../schema/scalars.js';
import type { DeliveryRecord } from '../src/events/delivery.js';
import type { BookingEventPayload } from '../src/events/event.js';
import type { WebhookSubscriptionModel } from '../src/events/webhooks.js';
import { GatewayError } from '../src/gateway/errors.js';
import type { BookingModel } from '../src/gateway/models.js';
import type { GraphQLContext } from './context.js';

/** Most deliveries one page lists. */
const MAX_DELIVERIES_PAGE = 100;

const dateOrNull = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

@Resolver(() => WebhookSubscription)
export class WebhookSubscriptionResolver {
  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Deliveries to targetUrl, newest first.' })
  async deliveries(
    @Root() sub: WebhookSubscriptionModel,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES_PAGE) {
      throw new GatewayError('BAD_USER_INPUT', `\`first\` must be between 1 and ${MAX_DELIVERIES_PAGE}`);
    }
    // Cursors are signed for the tenant and name the subscription (see CursorCodec).
    const { cursors } = ctx.reads;
    const afterId = after == null ? null : cursors.decodeDelivery(ctx.tenant.id, sub.id, after).deliveryId;
    const page = await ctx.webhooks.deliveries(sub, { first, after: afterId, status });
    const edges = page.items.map((d) => ({ cursor: cursors.deliveryCursor(ctx.tenant.id, { subscriptionId: sub.id, deliveryId: d.id }), node: d }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => BookingEvent)
  event(@Root() d: DeliveryRecord): BookingEventPayload {
    return d.event;
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  lastAttemptAt(@Root() d: DeliveryRecord): Date | null {
    return dateOrNull(d.lastAttemptAt);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  nextAttemptAt(@Root() d: DeliveryRecord): Date | null {
    return d.status === 'PENDING' ? dateOrNull(d.nextAttemptAt) : null;
  }
}

/** A booking event travels as JSON (bus, queue): its times become Dates, its booking a Booking model here. */
@Resolver(() => BookingEvent)
export class BookingEventResolver {
  @FieldResolver(() => DateTimeScalar)
  occurredAt(@Root() e: BookingEventPayload): Date {
    return new Date(e.occurredAt);
  }

  @FieldResolver(() => Booking)
  booking(@Root() e: BookingEventPayload): BookingModel {
    const { id: _id, startsAt, endsAt, createdAt, updatedAt, ...rest } = e.booking;
    return {
      ...rest,
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      createdAt: dateOrNull(createdAt),
      updatedAt: dateOrNull(updatedAt),
      __typename: 'Booking',
    };
  }
}
