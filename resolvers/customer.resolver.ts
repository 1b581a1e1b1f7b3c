import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Resolver, Root } from 'type-graphql';
import { BookingConnection } from '../schema/connections.type.js';
import { Customer } from '../schema/customer.type.js';
import { BookingFilter } from '../schema/inputs.js';
import { Organization } from '../schema/organization.type.js';
import type { CustomerModel } from '../src/gateway/models.js';
import { bookingArgs } from './args.js';
import type { GraphQLContext } from './context.js';
import { globalId } from './ids.js';

@Resolver(() => Customer)
export class CustomerResolver {
  @FieldResolver(() => ID)
  id(@Root() c: CustomerModel): string {
    return globalId('Customer', c);
  }

  @FieldResolver(() => Organization)
  organization(@Root() c: CustomerModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.related(ctx.scopeAt(info), c, 'organizations', c.organizationRef);
  }

  @FieldResolver(() => BookingConnection)
  bookings(
    @Root() c: CustomerModel,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => BookingFilter, { nullable: true }) filter: BookingFilter | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.bookings(ctx.scopeAt(info), { ...bookingArgs(first, after, filter), customer: c });
  }
}
