import { Field, ObjectType } from 'type-graphql';
import { Booking } from './booking.type.js';
import { PageInfo } from './common.type.js';
import { Customer } from './customer.type.js';
import { Service } from './service.type.js';

/** Relay connection types; cursors are opaque. */

@ObjectType('ServiceEdge')
export class ServiceEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Service)
  node!: Service;
}

@ObjectType('ServiceConnection')
export class ServiceConnection {
  @Field(() => [ServiceEdge])
  edges!: ServiceEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('CustomerEdge')
export class CustomerEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Customer)
  node!: Customer;
}

@ObjectType('CustomerConnection')
export class CustomerConnection {
  @Field(() => [CustomerEdge])
  edges!: CustomerEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('BookingEdge')
export class BookingEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Booking)
  node!: Booking;
}

@ObjectType('BookingConnection')
export class BookingConnection {
  @Field(() => [BookingEdge])
  edges!: BookingEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
