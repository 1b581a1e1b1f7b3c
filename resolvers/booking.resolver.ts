import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, ID, Info, Resolver, Root } from 'type-graphql';
import { Booking, TimeSlot } from '../schema/booking.type.js';
import { Customer } from '../schema/customer.type.js';
import { Organization } from '../schema/organization.type.js';
import { Service } from '../schema/service.type.js';
import type { BookingModel, TimeSlotModel } from '../src/gateway/models.js';
import type { GraphQLContext } from './context.js';
import { globalId } from './ids.js';

@Resolver(() => Booking)
export class BookingResolver {
  @FieldResolver(() => ID)
  id(@Root() b: BookingModel): string {
    return globalId('Booking', b);
  }

  @FieldResolver(() => Service, { nullable: true })
  service(@Root() b: BookingModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.related(ctx.scopeAt(info), b, 'services', b.serviceRef);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() b: BookingModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.related(ctx.scopeAt(info), b, 'customers', b.customerRef);
  }

  @FieldResolver(() => Organization)
  organization(@Root() b: BookingModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.related(ctx.scopeAt(info), b, 'organizations', b.organizationRef);
  }
}

@Resolver(() => TimeSlot)
export class TimeSlotResolver {
  @FieldResolver(() => Service)
  service(@Root() t: TimeSlotModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.related(ctx.scopeAt(info), t, 'services', t.serviceRef);
  }
}
