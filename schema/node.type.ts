import { Field, ID, InterfaceType } from 'type-graphql';

/** Relay global object identification. IDs are opaque; they encode the provider, connection and native id. */
@InterfaceType('Node', {
  description: 'Relay global object identification. IDs are opaque; they encode the provider, connection and native id.',
  resolveType: (value: { __typename?: string; tenantId?: string }) => value.__typename ?? (value.tenantId ? 'ProviderConnection' : undefined),
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
