import { Field, ID, ObjectType } from 'type-graphql';
import { Booking } from './booking.type.js';
import { ProviderConnection } from './connection.type.js';
import { BookingEventType, Provider, WebhookMode } from './enums.js';
import { Node } from './node.type.js';
import { DateTimeScalar } from './scalars.js';

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
}

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
