import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Query, Resolver } from 'type-graphql';
import { BookingConnection, CustomerConnection, ServiceConnection } from '../schema/connections.type.js';
import { ProviderConnection } from '../schema/connection.type.js';
import { Provider } from '../schema/enums.js';
import { WebhookSubscription } from '../schema/events.type.js';
import { BookingFilter } from '../schema/inputs.js';
import { Node } from '../schema/node.type.js';
import { Organization } from '../schema/organization.type.js';
import { TimeSlot } from '../schema/booking.type.js';
import { DateTimeScalar } from '../schema/scalars.js';
import { bookingArgs } from './args.js';
import { decodeId, type NodeType } from '../src/gateway/ids.js';
import type { GraphQLContext } from './context.js';

const isNodeOf = (id: string, type: NodeType) => decodeId(id)?.type === type;

@Resolver()
export class QueryResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null for unknown IDs and IDs of other tenants.' })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    if (isNodeOf(id, 'WebhookSubscription')) return ctx.webhooks.get(ctx.tenant, id);
    return ctx.reads.node(ctx.scopeAt(info), id);
  }

  @Query(() => [ProviderConnection])
  connections(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.connectionsOf(ctx.scopeAt(info));
  }

  @Query(() => [Organization])
  organizations(
    @Arg('providers', () => [Provider], { nullable: true }) providers: Provider[] | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.organizations(ctx.scopeAt(info), providers);
  }

  @Query(() => BookingConnection, { description: 'Every connected platform at once, merged and ordered by startsAt.' })
  bookings(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => BookingFilter, { nullable: true }) filter: BookingFilter | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.bookings(ctx.scopeAt(info), { ...bookingArgs(first, after, filter) });
  }

  @Query(() => CustomerConnection)
  customers(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('providers', () => [Provider], { nullable: true }) providers: Provider[] | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.customers(ctx.scopeAt(info), { first, after, providers, search });
  }

  @Query(() => ServiceConnection)
  services(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('providers', () => [Provider], { nullable: true }) providers: Provider[] | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.services(ctx.scopeAt(info), { first, after, providers });
  }

  @Query(() => [TimeSlot])
  availability(
    @Arg('serviceId', () => ID) serviceId: string,
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.reads.availability(ctx.scopeAt(info), serviceId, from, to);
  }

  @Query(() => [WebhookSubscription])
  webhookSubscriptions(@Ctx() ctx: GraphQLContext) {
    return ctx.webhooks.list(ctx.tenant);
  }
}
