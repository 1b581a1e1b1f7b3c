import { Field, ID, InputType } from 'type-graphql';
import { BookingEventType, BookingStatus, Provider } from './enums.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

@InputType('BookingFilter')
export class BookingFilter {
  @Field(() => [Provider], { nullable: true })
  providers?: Provider[] | null;

  @Field(() => [BookingStatus], { nullable: true })
  status?: BookingStatus[] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Bookings starting at or after this instant.' })
  startsAfter?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Bookings starting before this instant.' })
  startsBefore?: Date | null;
}

@InputType('ConnectProviderInput')
export class ConnectProviderInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Repair this existing connection (e.g. one in NEEDS_REAUTH) in place instead of making a new one; its records keep their IDs.',
  })
  connectionId?: string | null;

  @Field(() => Provider)
  provider!: Provider;

  @Field(() => JSONScalar, { description: 'Credentials for server-to-server platforms (client id/secret, refresh token, company API key, ...).' })
  credentials!: unknown;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: "Use the platform's sandbox hosts rather than production." })
  sandbox?: boolean | null;
}

@InputType('CreateCustomerInput')
export class CreateCustomerInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String)
  firstName!: string;

  @Field(() => String)
  lastName!: string;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}

@InputType('CreateBookingInput')
export class CreateBookingInput {
  @Field(() => ID)
  serviceId!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => DateTimeScalar)
  startsAt!: Date;

  @Field(() => String, { nullable: true, description: 'Repeat a request with the same key and get the same booking back, never a second one.' })
  idempotencyKey?: string | null;
}

@InputType('SubscribeWebhookInput')
export class SubscribeWebhookInput {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => [BookingEventType])
  events!: BookingEventType[];

  @Field(() => String, { nullable: true })
  targetUrl?: string | null;
}
