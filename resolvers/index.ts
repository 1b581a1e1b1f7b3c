import type { NonEmptyArray } from 'type-graphql';
import { BookingResolver, TimeSlotResolver } from './booking.resolver.js';
import { ProviderConnectionResolver } from './connection.resolver.js';
import { CustomerResolver } from './customer.resolver.js';
import { MutationResolver } from './mutation.resolver.js';
import { OrganizationResolver } from './organization.resolver.js';
import { QueryResolver } from './query.resolver.js';
import { ServiceResolver } from './service.resolver.js';
import { SubscriptionResolver } from './subscription.resolver.js';
import { BookingEventResolver, WebhookDeliveryResolver, WebhookSubscriptionResolver } from './webhook.resolver.js';

export const resolvers: NonEmptyArray<Function> = [
  QueryResolver,
  MutationResolver,
  SubscriptionResolver,
  OrganizationResolver,
  ServiceResolver,
  CustomerResolver,
  BookingResolver,
  TimeSlotResolver,
  ProviderConnectionResolver,
  WebhookSubscriptionResolver,
  WebhookDeliveryResolver,
  BookingEventResolver,
];
