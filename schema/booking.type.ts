import { Field, Int, ObjectType } from 'type-graphql';
import { BookingStatus, Provider } from './enums.js';
import { Node } from './node.type.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

@ObjectType('Booking', { implements: Node })
export class Booking extends Node {
  @Field(() => Provider)
  provider!: Provider;

  @Field(() => String)
  nativeId!: string;

  @Field(() => BookingStatus)
  status!: BookingStatus;

  @Field(() => DateTimeScalar)
  startsAt!: Date;

  @Field(() => DateTimeScalar)
  endsAt!: Date;

  @Field(() => String, { nullable: true, description: 'IANA time zone the booking was made in.' })
  timezone!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  updatedAt!: Date | null;

  @Field(() => JSONScalar, { nullable: true })
  raw!: unknown;
}

@ObjectType('TimeSlot')
export class TimeSlot {
  @Field(() => DateTimeScalar)
  startsAt!: Date;

  @Field(() => DateTimeScalar)
  endsAt!: Date;

  @Field(() => Int, { nullable: true })
  available!: number | null;
}
