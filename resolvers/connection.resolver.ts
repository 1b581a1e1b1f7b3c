import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, ID, Info, Resolver, Root } from 'type-graphql';
import { CircuitState } from '../src/connectors/breaker.js';
import { ProviderConnection } from '../schema/connection.type.js';
import { Organization } from '../schema/organization.type.js';
import { DateTimeScalar } from '../schema/scalars.js';
import type { ConnectionRecord } from '../src/connections/connections.js';
import { encodeId } from '../src/gateway/ids.js';
import type { GraphQLContext } from './context.js';

const date = (v: string | null) => (v ? new Date(v) : null);

@Resolver(() => ProviderConnection)
export class ProviderConnectionResolver {
  @FieldResolver(() => ID)
  id(@Root() c: ConnectionRecord): string {
    return encodeId({ type: 'ProviderConnection', provider: c.provider, connectionId: c.id, ref: '' });
  }

  @FieldResolver(() => [Organization])
  organizations(@Root() c: ConnectionRecord, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.reads.organizationsOf(ctx.scopeAt(info), c.id);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  accessTokenExpiresAt(@Root() c: ConnectionRecord) {
    return date(c.accessTokenExpiresAt);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  lastRefreshedAt(@Root() c: ConnectionRecord) {
    return date(c.lastRefreshedAt);
  }

  @FieldResolver(() => DateTimeScalar)
  createdAt(@Root() c: ConnectionRecord) {
    return new Date(c.createdAt);
  }

  @FieldResolver(() => CircuitState)
  circuit(@Root() c: ConnectionRecord, @Ctx() ctx: GraphQLContext): CircuitState {
    return ctx.reads.circuitOf(c.id).state;
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  circuitOpenUntil(@Root() c: ConnectionRecord, @Ctx() ctx: GraphQLContext): Date | null {
    return ctx.reads.circuitOf(c.id).openUntil;
  }
}
