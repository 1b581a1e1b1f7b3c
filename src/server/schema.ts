import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { resolvers } from '../../resolvers/index.js';
import { DateTimeScalar } from '../../schema/scalars.js';

let built: GraphQLSchema | null = null;

/** The unified schema, built once from the type-graphql classes and resolvers. */
export function buildGatewaySchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers,
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    // Subscriptions bring their own `subscribe` (the gateway's EventBus, per tenant); type-graphql
    // still asks for a PubSub, which is never used.
    pubSub: {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('subscriptions use the gateway EventBus');
      },
    },
  });
  return built;
}

/** The SDL committed as `schema/schema.graphql`. */
export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(buildGatewaySchema()))}\n`;
}
