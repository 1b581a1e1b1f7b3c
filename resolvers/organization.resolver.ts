import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Resolver, Root } from 'type-graphql';
import { ProviderConnection } from '../schema/connection.type.js';
import { BookingConnection, CustomerConnection, ServiceConnection } from '../schema/connections.type.js';
import { BookingFilter } from '../schema/inputs.js';
import { Organization } from '../schema/organization.type.js';
import type { OrganizationModel } from '../src/gateway/models.js';
import { bookingArgs } from './args.js';
import type { GraphQLContext } from './context.js';
import { globalId } from './ids.js';

@Resolver(() => Organization)
export class OrganizationResolver {
  @FieldResolver(() => ID)
  id(@Root() o: OrganizationModel): string {
    return globalId('Organization', o);
  }

  @FieldResolver(() => ProviderConnection)
  async connection(@Root() o: OrganizationModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    const all = await ctx.reads.connectionsOf(ctx.scopeAt(info));
    return all.find((c) => c.id === o.connectionId);
  }

  @FieldResolver(() => ServiceConnection)
  services(
    @Root() o: OrganizationModel,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.services(ctx.scopeAt(info), { first, after, organization: o });
  }

  @FieldResolver(() => CustomerConnection)
  customers(
    @Root() o: OrganizationModel,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.customers(ctx.scopeAt(info), { first, after, search, organization: o });
  }

  @FieldResolver(() => BookingConnection)
  bookings(
    @Root() o: OrganizationModel,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => BookingFilter, { nullable: true }) filter: BookingFilter | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.bookings(ctx.scopeAt(info), { ...bookingArgs(first, after, filter), organization: o });
  }
}
