import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, ID, Info, Resolver, Root } from 'type-graphql';
import { Organization } from '../schema/organization.type.js';
import { Service } from '../schema/service.type.js';
import type { ServiceModel } from '../src/gateway/models.js';
import type { GraphQLContext } from './context.js';
import { globalId } from './ids.js';

@Resolver(() => Service)
export class ServiceResolver {
  @FieldResolver(() => ID)
  id(@Root() s: ServiceModel): string {
    return globalId('Service', s);
  }

  @FieldResolver(() => Organization)
  organization(@Root() s: ServiceModel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.related(ctx.scopeAt(info), s, 'organizations', s.organizationRef);
  }
}
