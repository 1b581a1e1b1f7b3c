import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Booking } from './booking.type.js';
import { ProviderConnection } from './connection.type.js';
import { BookingEventType, Provider, WebhookMode } from './enums.js';
import { Node } from './node.type.js';
import { DateTimeScalar } from './scalars.js';
import { PageInfo } from './common.type.js';

@ObjectType('WebhookSubscription', { implements: Node })
export class WebhookSubscription extends Node {
  @Field(() => ProviderConnection)
  connection!: ProviderConnection;

  @Field(() => [BookingEventType])
  events!: BookingEventType[];

  @Field(() => WebhookMode)
  mode!: WebhookMode;

  @Field(() => String, { nullable: true, description: 'Where the gateway also POSTs each event, signed; null for GraphQL-subscription-only delivery.' })
  targetUrl!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'The Standard Webhooks secret (whsec_ followed by base64) that signs every delivery to targetUrl.\nReturned by subscribeWebhook and rotateWebhookSecret only; null everywhere else.',
  })
  signingSecret!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The gateway's own receiver for this subscription's platform webhooks: registered at the platform by\nthe gateway where the platform has a webhook API (NATIVE); for platforms whose webhooks are set up in\ntheir web app, the URL an operator pastes there (then pushed events arrive at once, and polling\nremains as reconciliation). Null where the platform cannot push at all.",
  })
  receiverUrl!: string | null;
}

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  valuesConfig: {
    PENDING: { description: 'Waiting for its first attempt or for a retry.' },
    DELIVERED: { description: 'Answered 2xx.' },
    FAILED: { description: 'Retries exhausted; kept until replayed.' },
  },
});

@ObjectType('BookingEvent')
export class BookingEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => BookingEventType)
  type!: BookingEventType;

  @Field(() => Provider)
  provider!: Provider;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  @Field(() => Booking)
  booking!: Booking;
}

@ObjectType('WebhookDelivery')
export class WebhookDelivery {
  @Field(() => ID, { description: 'The webhook-id header value; the same on every attempt and on a replay.' })
  id!: string;

  @Field(() => BookingEvent)
  event!: BookingEvent;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => DateTimeScalar, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null when it got no answer.' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (timeout, connection refused, HTTP 500, ...); null when delivered.' })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: Date | null;
}

@ObjectType('WebhookDeliveryEdge')
export class WebhookDeliveryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WebhookDelivery)
  node!: WebhookDelivery;
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
